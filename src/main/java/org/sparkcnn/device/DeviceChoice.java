package org.sparkcnn.device;

import java.io.Serializable;
import java.util.OptionalInt;

/**
 * The device one task trains on: the CPU, or the GPU Spark assigned to it.
 *
 * @param address the GPU address Spark gave the task (nvidia-smi index), null for the CPU
 * @param ordinal the CUDA device ordinal of that GPU inside this process (differs from the address when
 *                CUDA_VISIBLE_DEVICES hides some GPUs), empty for the CPU
 */
public record DeviceChoice(String address, OptionalInt ordinal) implements Serializable {
    public static final DeviceChoice CPU = new DeviceChoice(null, OptionalInt.empty());

    public static DeviceChoice gpu(String address, int ordinal) {
        return new DeviceChoice(address, OptionalInt.of(ordinal));
    }

    public boolean isGpu() {
        return ordinal.isPresent();
    }

    /** "cuda:1" or "cpu", as logged and reported. */
    public String label() {
        return ordinal.isPresent() ? "cuda:" + ordinal.getAsInt() : "cpu";
    }
}
