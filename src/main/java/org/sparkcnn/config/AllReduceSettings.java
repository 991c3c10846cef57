package org.sparkcnn.config;

import java.io.Serializable;

/**
 * The settings only the {@code allreduce} engine reads; its ring tasks carry them to the executors.
 *
 * @param peerTimeoutSeconds how long a worker waits for its ring neighbours (connecting, and each round)
 *                           before the pass fails and Spark retries it
 * @param cpuKernels         CPU backend: what computes each worker's forward and backward pass (the bench's
 *                           single-JVM and per-core cases use it too)
 */
public record AllReduceSettings(int peerTimeoutSeconds, CpuKernels cpuKernels) implements Serializable {
}
