package org.sparkcnn.device;

import java.util.List;
import java.util.Optional;

/**
 * Which GPUs the CUDA build can run on. nd4j-cuda-11.6 1.0.0-M2.1's libnd4jcuda holds compiled kernels
 * (cubins) for the architectures in {@link #BUNDLED} and no PTX, so the driver cannot JIT-compile them
 * for anything newer. CUDA runs a cubin built for X.y on a GPU of the same major version X and minor
 * version >= y, so a GPU is supported when some bundled cubin has its major version and a minor version
 * not above its own: Kepler sm_37 (K80) up to Ampere sm_86 (and Ada sm_89 on the sm_86 cubins); Hopper
 * sm_90 and Blackwell have no kernels here.
 */
public final class CudaKernels {
    /**
     * Architectures compiled into libnd4jcuda.so of nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64.jar, read from its
     * .nv_fatbin section: 228 fatbin containers, each with ELF cubins for exactly these 9 and no PTX entry.
     */
    public static final List<ComputeCapability> BUNDLED = List.of(
            new ComputeCapability(3, 7), new ComputeCapability(5, 0), new ComputeCapability(5, 2),
            new ComputeCapability(6, 0), new ComputeCapability(6, 1), new ComputeCapability(7, 0),
            new ComputeCapability(7, 5), new ComputeCapability(8, 0), new ComputeCapability(8, 6));
    public static final String SUPPORTED_RANGE = "sm_37..sm_86 (Kepler K80 to Ampere; no PTX for newer GPUs)";
    /** What to do instead, named in every refusal. */
    public static final String CPU_FALLBACK = "run on CPU instead: the default sparkcnn jar (built without -Pcuda) "
            + "and no spark.executor.resource.gpu.amount / spark.task.resource.gpu.amount";

    private CudaKernels() {
    }

    /** True when a bundled cubin runs on a GPU of this compute capability. */
    public static boolean supports(ComputeCapability gpu) {
        return BUNDLED.stream().anyMatch(k -> k.major() == gpu.major() && k.minor() <= gpu.minor());
    }

    /** Why this GPU cannot run the CUDA build, or empty when it can (or its capability is unknown). */
    public static Optional<String> refusal(GpuInfo gpu, String where) {
        return gpu.capability().filter(c -> !supports(c)).map(c -> String.format(
                "GPU %d (%s) on %s has compute capability %s (%s), but sparkcnn's CUDA build (nd4j-cuda-11.6 "
                        + "1.0.0-M2.1) only has kernels for %s; %s", gpu.index(), gpu.name(), where, c, c.sm(),
                SUPPORTED_RANGE, CPU_FALLBACK));
    }

    /** Why nd4j's CUDA backend did not start in {@code where}, naming the innermost cause. */
    public static String startFailure(String where, Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "nd4j's CUDA backend failed to start on " + where + " (" + root + "; nd4j logs why as 'Skipped "
                + "[JCublasBackend] backend'): it needs an NVIDIA driver >= 450.80.02 and GPUs of " + SUPPORTED_RANGE
                + "; " + CPU_FALLBACK;
    }
}
