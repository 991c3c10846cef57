package org.sparkcnn.report;

import org.sparkcnn.device.DeviceUse;
import org.sparkcnn.train.ExecutorBackend;

import java.time.Instant;
import java.util.List;

/**
 * Where and when a run happened.
 *
 * @param runId      unique id of the run
 * @param command    train or evaluate
 * @param start      start time
 * @param end        end time
 * @param sparkMaster the master URL
 * @param applicationId Spark's application id
 * @param executors  executors and the backend each trains on
 * @param backend    native backend on the driver, e.g. "CPU, oneDNN, 1 threads"
 * @param build      versions
 * @param devices    the device (GPU or CPU) each executor's training tasks ran on; empty for evaluate
 */
public record RunInfo(String runId, String command, Instant start, Instant end, String sparkMaster,
                      String applicationId, List<ExecutorBackend> executors, String backend, BuildInfo build,
                      List<DeviceUse> devices) {
    public RunInfo {
        executors = List.copyOf(executors);
        devices = List.copyOf(devices);
    }
}
