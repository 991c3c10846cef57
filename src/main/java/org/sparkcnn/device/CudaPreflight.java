package org.sparkcnn.device;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before nd4j's CUDA backend starts, that it can run on this host. nd4j initialises every GPU the
 * process sees when it starts, and on a GPU it has no kernels for it fails with an obscure CUDA error (or
 * not at all until the first kernel), so the check covers every visible GPU, not only the assigned ones.
 *
 * @param visibleGpus       the GPUs this process can use (CUDA_VISIBLE_DEVICES applied)
 * @param refusal           why the CUDA backend cannot run here, if it cannot
 * @param capabilitiesKnown false when nvidia-smi could not tell the compute capabilities: then they are
 *                          checked from nd4j's device information once it has started
 */
public record CudaPreflight(List<GpuInfo> visibleGpus, Optional<String> refusal, boolean capabilitiesKnown) {
    /** Present when an NVIDIA kernel driver is loaded (also inside containers given GPUs). */
    public static final Path DRIVER_VERSION_FILE = Path.of("/proc/driver/nvidia/version");

    public CudaPreflight {
        visibleGpus = List.copyOf(visibleGpus);
    }

    /** Checks the current host with nvidia-smi. */
    public static CudaPreflight ofHost(String where) {
        return check(where, new NvidiaSmi(), Optional.ofNullable(System.getenv("CUDA_VISIBLE_DEVICES")),
                Files.exists(DRIVER_VERSION_FILE));
    }

    /**
     * @param where              "executor 3 on host-a", for messages
     * @param cudaVisibleDevices the process's CUDA_VISIBLE_DEVICES, if set
     * @param driverLoaded       whether the NVIDIA kernel driver is loaded
     */
    public static CudaPreflight check(String where, GpuInventory inventory, Optional<String> cudaVisibleDevices,
                                      boolean driverLoaded) {
        List<GpuInfo> all;
        try {
            all = inventory.gpus();
        } catch (GpuUnavailableException e) {
            if (!driverLoaded) {
                return refused(where + " has no NVIDIA driver (" + DRIVER_VERSION_FILE + " is missing; " + e.getMessage()
                        + "): the CUDA build needs an NVIDIA GPU with driver >= 450.80.02 (CUDA 11.x); "
                        + CudaKernels.CPU_FALLBACK);
            }
            // a driver without nvidia-smi on the PATH: nd4j tells the capabilities once it has started
            return new CudaPreflight(List.of(), Optional.empty(), false);
        }
        List<GpuInfo> visible = visible(all, cudaVisibleDevices);
        if (visible.isEmpty()) {
            return refused(where + " has no usable NVIDIA GPU (nvidia-smi lists " + all.size() + ", CUDA_VISIBLE_DEVICES="
                    + cudaVisibleDevices.orElse("<unset>") + "); " + CudaKernels.CPU_FALLBACK);
        }
        for (GpuInfo gpu : visible) {
            Optional<String> refusal = CudaKernels.refusal(gpu, where);
            if (refusal.isPresent()) {
                return new CudaPreflight(visible, refusal, true);
            }
        }
        return new CudaPreflight(visible, Optional.empty(), visible.stream().allMatch(g -> g.capability().isPresent()));
    }

    private static CudaPreflight refused(String message) {
        return new CudaPreflight(List.of(), Optional.of(message), false);
    }

    /** The GPUs CUDA_VISIBLE_DEVICES lets the process see, all when unset. */
    static List<GpuInfo> visible(List<GpuInfo> all, Optional<String> cudaVisibleDevices) {
        return CudaVisibleDevices.parse(cudaVisibleDevices)
                .map(v -> all.stream().filter(v::shows).toList())
                .orElse(all);
    }
}
