package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.resource.ResourceInformation;
import org.sparkcnn.device.DeviceSelector;
import org.sparkcnn.device.DeviceUse;
import org.sparkcnn.device.DeviceUses;
import org.sparkcnn.device.ExecutorGpus;
import org.sparkcnn.device.GpuUnavailableException;
import org.sparkcnn.device.Nd4jBackends;
import org.sparkcnn.device.TaskDevice;
import org.sparkcnn.device.TaskDeviceUse;
import org.sparkcnn.model.NativeRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Comparator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Spark plugin ({@code spark.plugins}) that prepares every executor JVM before its first training task:
 * DL4J's oneDNN layer helpers on, DL4J's training-stats clock on the system clock (instead of an NTP
 * query), and nd4j's native threads limited to the cores one task owns. Done here rather than through
 * extraJavaOptions so that it also holds when a user sets their own executor JVM options.
 *
 * <p>With Spark GPU scheduling it also checks, before nd4j starts, that the executor's GPUs can run the CUDA
 * build (a refusal makes every training task fail with the reason), binds every task's thread to the GPU
 * Spark assigned to it ({@link #onTaskStart}) and relays to the driver which device each training task used.
 */
public final class SparkCnnPlugin implements SparkPlugin {
    /** Spark property carrying the native threads per training task to the executors. */
    public static final String THREADS_PER_TASK = "spark.sparkcnn.threadsPerTask";
    public static final String TIME_SOURCE_PROPERTY = "org.deeplearning4j.spark.time.TimeSource";
    public static final String SYSTEM_CLOCK = "org.deeplearning4j.spark.time.SystemClockTimeSource";

    /** Executors that reported in, by executor id, in the order they did. Filled on the driver. */
    private static final Map<String, ExecutorBackend> EXECUTORS = new ConcurrentHashMap<>();
    /** This executor JVM's channel to the driver plugin; null on a JVM whose plugin did not start. */
    private static volatile PluginContext executorContext;
    /** The device of every training partition, as the executors reported it. Filled on the driver. */
    private static final DeviceUses DEVICES = new DeviceUses();

    @Override
    public DriverPlugin driverPlugin() {
        EXECUTORS.clear();
        DEVICES.clear();
        return new Driver();
    }

    /** The executors of the current application that reported their backend, sorted by id. */
    public static List<ExecutorBackend> reportedExecutors() {
        return EXECUTORS.values().stream().sorted(Comparator.comparing(ExecutorBackend::executorId)).toList();
    }

    /** Which device each executor's training tasks used, by executor and device. */
    public static List<DeviceUse> reportedDevices() {
        return DEVICES.list();
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

    /**
     * Sends a message from a task to the driver plugin, fire-and-forget. Dropped when this JVM has no
     * plugin (the caller must not depend on delivery) or the driver cannot be reached.
     */
    static void sendToDriver(Object message) {
        PluginContext context = executorContext;
        if (context != null) {
            Executor.send(context, message);
        }
    }

    /**
     * Asks the driver plugin and waits for its answer (bounded by {@code spark.rpc.askTimeout}).
     *
     * @throws IOException when this JVM has no plugin, or the driver did not answer
     */
    static Object askDriver(Object message) throws IOException {
        PluginContext context = executorContext;
        if (context == null) {
            throw new IOException("the sparkcnn plugin did not start on this executor, so it cannot reach the driver");
        }
        try {
            return context.ask(message);
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("the driver's sparkcnn plugin did not answer: " + e.getMessage(), e);
        }
    }

    /** Whether {@code spark.plugins} names this plugin, so that its driver and executor sides run. */
    static boolean installed(SparkConf conf) {
        return namedIn(conf.get("spark.plugins", ""));
    }

    /** Whether the comma-separated class names of a {@code spark.plugins} value include this plugin. */
    static boolean namedIn(String plugins) {
        return Arrays.stream(plugins.split(",")).anyMatch(name -> name.trim().equals(SparkCnnPlugin.class.getName()));
    }

    /** Sets up the JVM it runs in (driver and executor alike). Idempotent. */
    public static void prepareJvm(int threadsPerTask) {
        NativeRuntime.enableLayerHelpers();
        System.setProperty(TIME_SOURCE_PROPERTY, SYSTEM_CLOCK);
        NativeRuntime.limitThreads(threadsPerTask);
    }

    /**
     * Receives the executors' self-descriptions for the run report and live training progress, and answers the
     * ring's rendezvous. Spark calls it on one RPC thread, so nothing here may block.
     */
    static final class Driver implements DriverPlugin {
        @Override
        public Object receive(Object message) {
            if (message instanceof ExecutorBackend backend) {
                EXECUTORS.put(backend.executorId(), backend);
            } else if (message instanceof RoundProgress progress) {
                RoundRelay.onProgress(progress);
            } else if (message instanceof TaskDeviceUse use) {
                DEVICES.add(use);
            } else if (message instanceof RendezvousRequest request) {
                return RendezvousBoard.answer(request).toWire();
            }
            return null;
        }
    }

    static final class Executor implements ExecutorPlugin {
        private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

        @Override
        public void init(PluginContext ctx, Map<String, String> extraConf) {
            executorContext = ctx;
            List<String> sparkGpus = gpuAddresses(ctx.resources());
            boolean cuda = Nd4jBackends.cudaOnClasspath();
            ExecutorGpus.Started started = ExecutorGpus.start(ctx.executorID(), host(ctx), sparkGpus, cuda,
                    ExecutorGpus.preflight(ctx.executorID(), host(ctx), sparkGpus, cuda),
                    Optional.ofNullable(System.getenv("CUDA_VISIBLE_DEVICES")), () -> {
                        prepareJvm(threadsPerTask(ctx.conf()));
                        return NativeRuntime.describeBackend();
                    }, Nd4jBackends::binder, use -> send(ctx, use));
            ExecutorGpus.install(started.gpus());
            ExecutorBackend self = new ExecutorBackend(ctx.executorID(), host(ctx), started.description());
            LOG.info("sparkcnn executor {} on {} ready: {}", self.executorId(), self.host(), self.backend());
            send(ctx, self);
        }

        /**
         * Binds the task's thread to its GPU before any of its code runs (Spark calls this in the task's
         * thread). A refused executor only fails its training tasks, which call TaskDevice themselves.
         */
        @Override
        public void onTaskStart() {
            try {
                TaskDevice.bindAnyTask();
            } catch (GpuUnavailableException e) {
                LOG.debug("Task not bound to a GPU: {}", e.getMessage());
            }
        }

        private static List<String> gpuAddresses(Map<String, ResourceInformation> resources) {
            ResourceInformation gpu = resources.get(DeviceSelector.GPU);
            return gpu == null ? List.of() : Arrays.asList(gpu.addresses());
        }

        private static void send(PluginContext ctx, Object message) {
            try {
                ctx.send(message);
            } catch (IOException e) {
                LOG.warn("Could not report {} to the driver: {}", message, e.getMessage());
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
