package org.sparkcnn.device;

import java.io.Serializable;

/**
 * The device a training task ran on; sent from the executor to the driver for the run report.
 *
 * @param executorId  Spark's executor id ("driver" in local mode)
 * @param host        the executor's host
 * @param partition   the partition the task trained
 * @param device      "cuda:N" (nd4j's device ordinal in the executor) or "cpu"
 * @param gpuAddress  the GPU address Spark assigned to the task (nvidia-smi index), null without one
 * @param description e.g. "NVIDIA A100-SXM4-40GB, compute capability 8.0" or "CPU"
 */
public record TaskDeviceUse(String executorId, String host, int partition, String device, String gpuAddress,
                            String description) implements Serializable {
}
