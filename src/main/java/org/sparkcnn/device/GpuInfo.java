package org.sparkcnn.device;

import java.io.Serializable;
import java.util.Optional;

/**
 * One GPU of a host, as nvidia-smi lists it.
 *
 * @param index      nvidia-smi's index (PCI bus order), the address Spark's discovery script reports
 * @param uuid       e.g. {@code GPU-5b2c...}, empty when unknown
 * @param name       e.g. {@code NVIDIA A100-SXM4-40GB}
 * @param capability its compute capability, empty when the driver is too old to report it
 */
public record GpuInfo(int index, String uuid, String name, Optional<ComputeCapability> capability)
        implements Serializable {
}
