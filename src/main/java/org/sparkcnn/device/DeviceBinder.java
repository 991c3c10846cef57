package org.sparkcnn.device;

/**
 * Makes nd4j put everything the current thread creates from now on onto one device. nd4j keeps the device
 * per thread, and Spark reuses task threads, so every task binds again.
 */
public interface DeviceBinder {
    /** Binds the calling thread to CUDA device {@code ordinal}. */
    void bind(int ordinal);

    /** The CUDA device nd4j uses for the calling thread, -1 on the CPU. */
    int current();

    /** Devices nd4j can use in this process. */
    int deviceCount();

    /** "NVIDIA A100-SXM4-40GB, compute capability 8.0", or a plain label when unknown. */
    String describe(int ordinal);
}
