package org.sparkcnn.device;

/** The CPU backend has one device and nothing to bind. */
public final class CpuDeviceBinder implements DeviceBinder {
    @Override
    public void bind(int ordinal) {
        throw new GpuUnavailableException("cannot bind CUDA device " + ordinal + ": nd4j runs on its CPU backend");
    }

    @Override
    public int current() {
        return -1;
    }

    @Override
    public int deviceCount() {
        return 0;
    }

    @Override
    public String describe(int ordinal) {
        return "CPU";
    }
}
