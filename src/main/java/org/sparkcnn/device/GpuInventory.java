package org.sparkcnn.device;

import java.util.List;

/** The GPUs of this host, asked without starting nd4j (which may crash on a GPU it has no kernels for). */
public interface GpuInventory {
    /**
     * @return every GPU the NVIDIA driver sees on this host
     * @throws GpuUnavailableException when the GPUs cannot be listed (no driver, no nvidia-smi)
     */
    List<GpuInfo> gpus();
}
