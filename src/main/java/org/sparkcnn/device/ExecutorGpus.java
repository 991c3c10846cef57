package org.sparkcnn.device;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What one executor JVM knows about its devices, decided once when it starts (by the sparkcnn plugin, before
 * nd4j starts): its Spark GPU addresses, its GPUs, whether the CUDA backend can run here and if not why. Every
 * task then binds through {@link #bind}.
 */
public final class ExecutorGpus {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorGpus.class);
    private static volatile ExecutorGpus current;

    private final String executorId;
    private final String host;
    private final List<String> sparkGpus;
    private final CudaPreflight preflight;
    private final boolean cudaBackend;
    private final Optional<String> cudaVisibleDevices;
    private final Supplier<DeviceBinder> binder;
    private final Consumer<TaskDeviceUse> reporter;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private volatile DeviceBinder binderInstance;

    /**
     * @param sparkGpus          the GPU addresses Spark gave this executor (empty without GPU scheduling)
     * @param preflight          the result of the CUDA checks (refusal, GPUs)
     * @param cudaBackend        whether the jar's nd4j backend is CUDA
     * @param cudaVisibleDevices the process's CUDA_VISIBLE_DEVICES, if set
     * @param binder             the device binder of the running backend, asked for when first needed
     * @param reporter           sends a task's device to the driver (once per device and partition)
     */
    public ExecutorGpus(String executorId, String host, List<String> sparkGpus, CudaPreflight preflight,
                        boolean cudaBackend, Optional<String> cudaVisibleDevices, Supplier<DeviceBinder> binder,
                        Consumer<TaskDeviceUse> reporter) {
        this.executorId = executorId;
        this.host = host;
        this.sparkGpus = List.copyOf(sparkGpus);
        this.preflight = preflight;
        this.cudaBackend = cudaBackend;
        this.cudaVisibleDevices = cudaVisibleDevices;
        this.binder = binder;
        this.reporter = reporter;
    }

    /**
     * Decides, before nd4j starts, whether this executor can train on its devices.
     *
     * @param sparkGpus the GPU addresses Spark gave this executor
     */
    public static CudaPreflight preflight(String executorId, String host, List<String> sparkGpus, boolean cudaBackend) {
        String where = "executor " + executorId + " on " + host;
        if (!cudaBackend) {
            Optional<String> refusal = sparkGpus.isEmpty() ? Optional.empty() : Optional.of(where + " was given GPUs "
                    + sparkGpus + " by Spark, but this sparkcnn jar has nd4j's CPU backend: build the GPU jar with "
                    + "mvn -Pcuda package, or " + CudaKernels.CPU_FALLBACK);
            return new CudaPreflight(List.of(), refusal, true);
        }
        if (sparkGpus.isEmpty()) {
            LOG.warn("{} has the CUDA build but no GPU from Spark: nd4j picks GPUs itself; set "
                    + "spark.executor.resource.gpu.amount and spark.task.resource.gpu.amount=1", where);
        }
        return CudaPreflight.ofHost(where);
    }

    /**
     * The executor's devices and its one-line description for the run report.
     *
     * @param description e.g. "CPU, oneDNN, 1 threads", "CUDA, 1 threads, Spark GPUs [0]: 0 NVIDIA A100 (sm_80)"
     *                    or "refused: ..."
     */
    public record Started(ExecutorGpus gpus, String description) {
    }

    /**
     * Starts an executor's devices: the checks of {@link #preflight}, then nd4j unless they refused (on a GPU
     * without kernels nd4j would fail obscurely), then the capabilities only nd4j could tell. A CUDA backend
     * that fails to start refuses the executor instead of killing it, so that its training tasks fail with
     * the reason, which Spark shows on the driver.
     *
     * @param startNd4j starts nd4j and describes its backend (e.g. "CPU, oneDNN, 1 threads")
     */
    public static Started start(String executorId, String host, List<String> sparkGpus, boolean cudaBackend,
                                CudaPreflight preflight, Optional<String> cudaVisibleDevices,
                                Supplier<String> startNd4j, Supplier<DeviceBinder> binder,
                                Consumer<TaskDeviceUse> reporter) {
        ExecutorGpus gpus = new ExecutorGpus(executorId, host, sparkGpus, preflight, cudaBackend, cudaVisibleDevices,
                binder, reporter);
        String backend = cudaBackend ? "CUDA" : "CPU";
        if (gpus.refusal().isEmpty()) {
            try {
                backend = startNd4j.get();
                gpus = gpus.checkStartedBackend();
            } catch (RuntimeException | LinkageError e) {
                if (!cudaBackend) {
                    throw e;
                }
                gpus = gpus.refuse(CudaKernels.startFailure("executor " + executorId + " on " + host, e));
            }
        }
        String devices = gpus.describeGpus();
        String description = gpus.refusal().map(r -> "refused: " + r)
                .orElse(backend + (devices.isEmpty() ? "" : ", " + devices));
        gpus.refusal().ifPresent(r -> LOG.error("sparkcnn cannot train on this executor: {}", r));
        return new Started(gpus, description);
    }

    /** Installs the executor's state for its tasks (done by the sparkcnn plugin). */
    public static void install(ExecutorGpus gpus) {
        current = gpus;
    }

    /** This executor's state; without the plugin (disabled by the user) a plain one, without GPU checks. */
    public static ExecutorGpus current() {
        ExecutorGpus gpus = current;
        if (gpus == null) {
            synchronized (ExecutorGpus.class) {
                if (current == null) {
                    current = new ExecutorGpus("?", "?", List.of(), new CudaPreflight(List.of(), Optional.empty(), true),
                            Nd4jBackends.cudaOnClasspath(), Optional.ofNullable(System.getenv("CUDA_VISIBLE_DEVICES")),
                            Nd4jBackends::binder, use -> { });
                }
                gpus = current;
            }
        }
        return gpus;
    }

    public Optional<String> refusal() {
        return preflight.refusal();
    }

    /** The same executor, refused for {@code reason} (e.g. nd4j's CUDA backend failed to start). */
    ExecutorGpus refuse(String reason) {
        return new ExecutorGpus(executorId, host, sparkGpus, new CudaPreflight(preflight.visibleGpus(),
                Optional.of(reason), preflight.capabilitiesKnown()), cudaBackend, cudaVisibleDevices, binder, reporter);
    }

    /**
     * Once nd4j's CUDA backend has started: checks the compute capabilities nvidia-smi could not tell.
     *
     * @return this, or a refused copy
     */
    ExecutorGpus checkStartedBackend() {
        if (!cudaBackend || preflight.capabilitiesKnown() || refusal().isPresent()) {
            return this;
        }
        DeviceBinder b = binder();
        for (int ordinal = 0; ordinal < b.deviceCount(); ordinal++) {
            int o = ordinal;
            Optional<String> refusal = CudaDeviceBinder.capability(ordinal).flatMap(c -> CudaKernels.refusal(
                    new GpuInfo(o, "", b.describe(o), Optional.of(c)), "executor " + executorId + " on " + host));
            if (refusal.isPresent()) {
                return refuse(refusal.get());
            }
        }
        return this;
    }

    /** For the executor line of the report, e.g. "Spark GPUs [0, 1]: NVIDIA A100-SXM4-40GB (8.0), ...". */
    public String describeGpus() {
        if (sparkGpus.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder("Spark GPUs ").append(sparkGpus);
        // without isolation (standalone) the executor sees its node's other GPUs too: name only its own
        List<GpuInfo> gpus = preflight.visibleGpus().stream()
                .filter(g -> sparkGpus.contains(Integer.toString(g.index()))).toList();
        for (int i = 0; i < gpus.size(); i++) {
            GpuInfo g = gpus.get(i);
            text.append(i == 0 ? ": " : ", ").append(g.index()).append(' ').append(g.name())
                    .append(g.capability().map(c -> " (" + c.sm() + ")").orElse(""));
        }
        return text.toString();
    }

    /**
     * Binds the calling task thread to the device Spark assigned to the task.
     *
     * @param resources the task's resources (name -> addresses)
     * @param partition the task's partition
     * @throws GpuUnavailableException when the executor was refused or the assigned GPU cannot be used
     */
    public TaskDeviceUse bind(Map<String, List<String>> resources, int partition) {
        refusal().ifPresent(r -> {
            throw new GpuUnavailableException(r);
        });
        DeviceChoice choice = DeviceSelector.choose(resources, cudaVisibleDevices, preflight.visibleGpus());
        if (choice.isGpu()) {
            if (!cudaBackend) {
                throw new GpuUnavailableException("task of partition " + partition + " on executor " + executorId
                        + " was given GPU " + choice.address() + " by Spark, but this sparkcnn jar has nd4j's CPU "
                        + "backend: build the GPU jar with mvn -Pcuda package, or " + CudaKernels.CPU_FALLBACK);
            }
            int ordinal = choice.ordinal().getAsInt();
            binder().bind(ordinal);
            return new TaskDeviceUse(executorId, host, partition, choice.label(), choice.address(), binder().describe(ordinal));
        }
        if (cudaBackend) {
            // no GPU scheduling: nd4j's own choice for this thread
            int device = binder().current();
            return new TaskDeviceUse(executorId, host, partition, "cuda:" + device, null, binder().describe(device)
                    + " (chosen by nd4j, no GPU assigned by Spark)");
        }
        return new TaskDeviceUse(executorId, host, partition, DeviceChoice.CPU.label(), null, "CPU");
    }

    /** Logs a training task's device and reports it to the driver, once per device and partition. */
    public void report(TaskDeviceUse use) {
        if (reported.add(use.device() + "/" + use.gpuAddress() + "/" + use.partition())) {
            LOG.info("Training partition {} on executor {} ({}) runs on {}{}: {}", use.partition(), use.executorId(),
                    use.host(), use.device(), use.gpuAddress() == null ? "" : " (Spark GPU " + use.gpuAddress() + ")",
                    use.description());
            reporter.accept(use);
        } else {
            LOG.debug("Training partition {} runs on {}", use.partition(), use.device());
        }
    }

    private DeviceBinder binder() {
        DeviceBinder b = binderInstance;
        if (b == null) {
            b = binder.get();
            binderInstance = b;
        }
        return b;
    }
}
