package org.sparkcnn.device;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the resources Spark assigned to a task ({@code TaskContext.resources()}) into the device it trains on.
 * Spark's addresses are what the discovery script printed: nvidia-smi indices (PCI bus order). CUDA numbers
 * the devices a process sees from 0, in PCI bus order only with CUDA_DEVICE_ORDER=PCI_BUS_ID (sparkcnn sets
 * it for its executors) and counting only those in CUDA_VISIBLE_DEVICES when that is set (YARN and some
 * container runtimes set it): the ordinal is then the address's position in that list.
 */
public final class DeviceSelector {
    /** Spark's resource name for GPUs (spark.executor.resource.gpu.*, spark.task.resource.gpu.*). */
    public static final String GPU = "gpu";
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelector.class);

    private DeviceSelector() {
    }

    /**
     * @param resources          resource name -> addresses assigned to the task
     * @param cudaVisibleDevices the process's CUDA_VISIBLE_DEVICES, if set
     * @param gpus               this host's GPUs by nvidia-smi index (for UUID entries in CUDA_VISIBLE_DEVICES);
     *                           may be empty
     */
    public static DeviceChoice choose(Map<String, List<String>> resources, Optional<String> cudaVisibleDevices,
                                      List<GpuInfo> gpus) {
        List<String> addresses = resources.getOrDefault(GPU, List.of());
        if (addresses.isEmpty()) {
            return DeviceChoice.CPU;
        }
        String address = addresses.get(0).trim();
        if (addresses.size() > 1) {
            // one DL4J network trains on one device; the driver refuses task amounts > 1, so this is a
            // resource profile set up elsewhere
            LOG.warn("Task got {} GPUs {} but trains on one, {}: use spark.task.resource.gpu.amount=1 to run one "
                    + "task per GPU", addresses.size(), addresses, address);
        }
        return DeviceChoice.gpu(address, ordinal(address, cudaVisibleDevices, gpus));
    }

    /** The CUDA ordinal of the GPU with nvidia-smi index {@code address} in this process. */
    static int ordinal(String address, Optional<String> cudaVisibleDevices, List<GpuInfo> gpus) {
        int index;
        try {
            index = Integer.parseInt(address);
        } catch (NumberFormatException e) {
            throw new GpuUnavailableException("GPU address '" + address + "' assigned by Spark is not a GPU index: "
                    + "the GPU discovery script must print nvidia-smi indices (submit-scripts/gpu-discovery.sh)");
        }
        Optional<CudaVisibleDevices> visible = CudaVisibleDevices.parse(cudaVisibleDevices);
        if (visible.isEmpty()) {
            return index;
        }
        String uuid = gpus.stream().filter(g -> g.index() == index).map(GpuInfo::uuid).findFirst().orElse("");
        return visible.get().ordinalOf(index, uuid).orElseThrow(() -> new GpuUnavailableException("GPU " + address
                + " assigned by Spark is not visible to this executor (CUDA_VISIBLE_DEVICES=" + visible.get()
                + "): the GPU discovery script and the executor's visible devices disagree"));
    }
}
