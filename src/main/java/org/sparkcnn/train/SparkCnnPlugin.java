package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.sparkcnn.model.NativeRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spark plugin ({@code spark.plugins}) that prepares every executor JVM before its first training task:
 * DL4J's oneDNN layer helpers on, DL4J's training-stats clock on the system clock (instead of an NTP
 * query), and nd4j's native threads limited to the cores one task owns. Done here rather than through
 * extraJavaOptions so that it also holds when a user sets their own executor JVM options.
 */
public final class SparkCnnPlugin implements SparkPlugin {
    /** Spark property carrying the native threads per training task to the executors. */
    public static final String THREADS_PER_TASK = "spark.sparkcnn.threadsPerTask";
    public static final String TIME_SOURCE_PROPERTY = "org.deeplearning4j.spark.time.TimeSource";
    public static final String SYSTEM_CLOCK = "org.deeplearning4j.spark.time.SystemClockTimeSource";

    /** Executors that reported in, by executor id, in the order they did. Filled on the driver. */
    private static final Map<String, ExecutorBackend> EXECUTORS = new ConcurrentHashMap<>();

    @Override
    public DriverPlugin driverPlugin() {
        EXECUTORS.clear();
        return new Driver();
    }

    /** The executors of the current application that reported their backend, sorted by id. */
    public static List<ExecutorBackend> reportedExecutors() {
        return EXECUTORS.values().stream().sorted(Comparator.comparing(ExecutorBackend::executorId)).toList();
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new Executor();
    }

    /**
     * Native threads per training task: the configured number, else the cores one task owns
     * ({@code spark.task.cpus}), so that concurrent tasks of an executor do not oversubscribe it.
     */
    public static int threadsPerTask(SparkConf conf) {
        return conf.getInt(THREADS_PER_TASK, conf.getInt("spark.task.cpus", 1));
    }

    /** Sets up the JVM it runs in (driver and executor alike). Idempotent. */
    public static void prepareJvm(int threadsPerTask) {
        NativeRuntime.enableLayerHelpers();
        System.setProperty(TIME_SOURCE_PROPERTY, SYSTEM_CLOCK);
        NativeRuntime.limitThreads(threadsPerTask);
    }

    /** Receives the executors' self-descriptions for the run report. */
    static final class Driver implements DriverPlugin {
        @Override
        public Object receive(Object message) {
            if (message instanceof ExecutorBackend backend) {
                EXECUTORS.put(backend.executorId(), backend);
            }
            return null;
        }
    }

    static final class Executor implements ExecutorPlugin {
        private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

        @Override
        public void init(PluginContext ctx, Map<String, String> extraConf) {
            prepareJvm(threadsPerTask(ctx.conf()));
            ExecutorBackend backend = new ExecutorBackend(ctx.executorID(), host(ctx),
                    NativeRuntime.describeBackend());
            LOG.info("sparkcnn executor {} on {} ready: {}", backend.executorId(), backend.host(), backend.backend());
            try {
                ctx.send(backend);
            } catch (IOException e) {
                LOG.warn("Could not report executor {} to the driver: {}", backend.executorId(), e.getMessage());
            }
        }

        /**
         * The executor's host as Spark knows it. {@code PluginContext.hostname()} only works in local mode:
         * on a cluster an executor's RPC environment has no server address, and Spark 3.5 throws a
         * NullPointerException there (which kills the executor); its block manager knows the host.
         */
        private static String host(PluginContext ctx) {
            SparkEnv env = SparkEnv.get();
            if (env != null && env.rpcEnv().address() == null && env.blockManager().blockManagerId() != null) {
                return env.blockManager().blockManagerId().host();
            }
            return ctx.hostname();
        }
    }
}
