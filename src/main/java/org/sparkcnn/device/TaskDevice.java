package org.sparkcnn.device;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceInformation;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entry point of every training task: binds the task's thread to the GPU Spark assigned to it (or leaves
 * it on the CPU) before any nd4j array of the task exists, logs it and reports it to the driver.
 *
 * <pre>
 *   TaskDevice.bindCurrentTask();                       // first thing in a task's code, or
 *   trainer.fit(TaskDevice.trainingTasks(minibatches)); // binds before the RDD's partition is computed
 * </pre>
 * Binding is per task attempt and idempotent: the sparkcnn plugin already binds every task when it starts
 * (ExecutorPlugin.onTaskStart), so calling it again costs a thread-local lookup.
 */
public final class TaskDevice {
    private record Bound(long taskAttemptId, TaskDeviceUse use) {
    }

    private static final ThreadLocal<Bound> BOUND = new ThreadLocal<>();

    private TaskDevice() {
    }

    /**
     * Binds the current training task and reports its device to the driver.
     *
     * @return the device; "cpu" on partition -1 outside a Spark task (driver code)
     * @throws GpuUnavailableException when the task's GPU cannot be used; the message says why and names the
     *                                 CPU fallback, and Spark shows it on the driver when the job fails
     */
    public static TaskDeviceUse bindCurrentTask() {
        TaskDeviceUse use = bindAnyTask();
        if (use.partition() >= 0) {
            ExecutorGpus.current().report(use);
        }
        return use;
    }

    /** Binds the current task without reporting it (the plugin does this for every task, training or not). */
    public static TaskDeviceUse bindAnyTask() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return new TaskDeviceUse("driver", "", -1, DeviceChoice.CPU.label(), null, "not in a Spark task");
        }
        Bound bound = BOUND.get();
        if (bound != null && bound.taskAttemptId() == task.taskAttemptId()) {
            return bound.use();
        }
        TaskDeviceUse use = ExecutorGpus.current().bind(addresses(task.resourcesJMap()), task.partitionId());
        BOUND.set(new Bound(task.taskAttemptId(), use));
        return use;
    }

    /**
     * {@code rdd} whose partitions are computed only after the task has been bound to its device: a training
     * engine's worker code that consumes it creates its arrays on the right device, and a refused GPU fails
     * the task with a clear message before nd4j touches it.
     */
    public static <T> JavaRDD<T> trainingTasks(JavaRDD<T> rdd) {
        return new JavaRDD<>(new DeviceBoundRdd<>(rdd.rdd(), rdd.classTag()), rdd.classTag());
    }

    static Map<String, List<String>> addresses(Map<String, ResourceInformation> resources) {
        Map<String, List<String>> addresses = new HashMap<>();
        resources.forEach((name, info) -> addresses.put(name, Arrays.asList(info.addresses())));
        return addresses;
    }
}
