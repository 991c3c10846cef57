package org.sparkcnn.train;

import java.io.Serializable;

/**
 * What an executor reported about itself when it started: where it runs and on which native backend
 * and device it trains.
 *
 * @param executorId Spark's executor id ("driver" in local mode)
 * @param host       the executor's host
 * @param backend    e.g. "CPU, oneDNN, 1 threads"
 */
public record ExecutorBackend(String executorId, String host, String backend) implements Serializable {
}
