package org.sparkcnn.device;

import java.util.List;

/**
 * One device of one executor and the training partitions that ran on it, for the run report.
 *
 * @param executorId  Spark's executor id
 * @param host        the executor's host
 * @param device      "cuda:N" or "cpu"
 * @param gpuAddress  Spark's GPU address, null for the CPU
 * @param description the device's name and compute capability, or "CPU"
 * @param partitions  the training partitions whose tasks ran on it, ascending
 */
public record DeviceUse(String executorId, String host, String device, String gpuAddress, String description,
                        List<Integer> partitions) {
    public DeviceUse {
        partitions = List.copyOf(partitions);
    }
}
