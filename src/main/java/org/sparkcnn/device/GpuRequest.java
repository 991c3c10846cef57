package org.sparkcnn.device;

import org.sparkcnn.common.BadInputException;

import java.util.Optional;
import java.util.function.Function;

/**
 * The GPUs a Spark application asks for through Spark 3's resource scheduling, checked on the driver before
 * anything starts so that a request that cannot work is refused with one clear line (exit code 2).
 *
 * @param executorAmount spark.executor.resource.gpu.amount (0 when unset)
 * @param taskAmount     spark.task.resource.gpu.amount (0 when unset)
 */
public record GpuRequest(double executorAmount, double taskAmount) {
    public static final String EXECUTOR_AMOUNT = "spark.executor.resource.gpu.amount";
    public static final String TASK_AMOUNT = "spark.task.resource.gpu.amount";

    /** @param conf a Spark property's value, if set (e.g. {@code key -> Optional.ofNullable(sparkConf.get(key, null))}) */
    public static GpuRequest of(Function<String, Optional<String>> conf) {
        return new GpuRequest(amount(conf, EXECUTOR_AMOUNT), amount(conf, TASK_AMOUNT));
    }

    public boolean requested() {
        return executorAmount > 0 || taskAmount > 0;
    }

    /**
     * @param cudaOnClasspath whether this jar holds nd4j's CUDA backend
     * @throws BadInputException when the request cannot work as set
     */
    public void check(boolean cudaOnClasspath) {
        if (!requested()) {
            return;
        }
        String setting = executorAmount > 0 ? EXECUTOR_AMOUNT + "=" + format(executorAmount)
                : TASK_AMOUNT + "=" + format(taskAmount);
        if (!cudaOnClasspath) {
            throw new BadInputException(setting + " asks for GPUs, but this sparkcnn jar has nd4j's CPU backend "
                    + "(nd4j-native): build the GPU jar with mvn -Pcuda package and submit that one, or remove the "
                    + "GPU settings to train on CPU");
        }
        if (executorAmount <= 0) {
            throw new BadInputException(setting + " needs " + EXECUTOR_AMOUNT + " too (GPUs per executor, e.g. 1 or "
                    + "the GPUs of a node)");
        }
        if (taskAmount <= 0) {
            throw new BadInputException(setting + " without " + TASK_AMOUNT + ": set " + TASK_AMOUNT + "=1 so that "
                    + "each training task gets a GPU of its own (one task per GPU)");
        }
        if (taskAmount > 1) {
            throw new BadInputException(TASK_AMOUNT + "=" + format(taskAmount) + ": a sparkcnn training task trains "
                    + "on one GPU; use 1 (one task per GPU) or a fraction such as 0.5 (two tasks share a GPU)");
        }
        if (taskAmount > executorAmount) {
            throw new BadInputException(TASK_AMOUNT + "=" + format(taskAmount) + " is more than " + EXECUTOR_AMOUNT
                    + "=" + format(executorAmount) + ": no task could ever run");
        }
    }

    private static double amount(Function<String, Optional<String>> conf, String key) {
        Optional<String> value = conf.apply(key).map(String::trim);
        if (value.isEmpty() || value.get().isEmpty()) {
            return 0;
        }
        try {
            double amount = Double.parseDouble(value.get());
            if (amount < 0 || !Double.isFinite(amount)) {
                throw new NumberFormatException();
            }
            return amount;
        } catch (NumberFormatException e) {
            throw new BadInputException(key + "=" + value.get() + ": expected a number of GPUs (e.g. 1, or 0.5 for a "
                    + "task)");
        }
    }

    private static String format(double amount) {
        return amount == Math.rint(amount) ? Long.toString((long) amount) : Double.toString(amount);
    }
}
