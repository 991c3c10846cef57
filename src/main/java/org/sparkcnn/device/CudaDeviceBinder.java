package org.sparkcnn.device;

import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Binds threads through nd4j's affinity manager, which on the CUDA backend also makes the device current
 * for the thread (cudaSetDevice). Uses only nd4j-api, so it compiles without the CUDA jars. Arrays created
 * earlier on another device (cached minibatches) are copied over by nd4j when a kernel reads them.
 */
public final class CudaDeviceBinder implements DeviceBinder {
    @Override
    public void bind(int ordinal) {
        AffinityManager affinity = Nd4j.getAffinityManager();
        int count = affinity.getNumberOfDevices();
        if (ordinal < 0 || ordinal >= count) {
            throw new GpuUnavailableException("CUDA device " + ordinal + " does not exist: nd4j sees " + count
                    + " device(s) in this executor (check CUDA_VISIBLE_DEVICES and the GPU discovery script)");
        }
        affinity.unsafeSetDevice(ordinal);
    }

    @Override
    public int current() {
        return Nd4j.getAffinityManager().getDeviceForCurrentThread();
    }

    @Override
    public int deviceCount() {
        return Nd4j.getAffinityManager().getNumberOfDevices();
    }

    /** From nd4j's environment information ({@code cuda.devicesInformation}), in CUDA ordinal order. */
    @Override
    public String describe(int ordinal) {
        Map<?, ?> device = devices().stream().skip(ordinal).findFirst().orElse(Map.of());
        Object name = device.get("cuda.deviceName");
        Object major = device.get("cuda.deviceMajor");
        Object minor = device.get("cuda.deviceMinor");
        if (name == null) {
            return "CUDA device " + ordinal;
        }
        return name + (major != null && minor != null ? ", compute capability " + major + "." + minor : "");
    }

    /** The capability of CUDA device {@code ordinal} as nd4j reports it, when nvidia-smi could not tell. */
    public static Optional<ComputeCapability> capability(int ordinal) {
        Map<?, ?> device = devices().stream().skip(ordinal).findFirst().orElse(Map.of());
        Object major = device.get("cuda.deviceMajor");
        Object minor = device.get("cuda.deviceMinor");
        if (major == null || minor == null) {
            return Optional.empty();
        }
        return Optional.of(new ComputeCapability(Integer.parseInt(major.toString()),
                Integer.parseInt(minor.toString())));
    }

    private static List<Map<?, ?>> devices() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        Object list = env.get("cuda.devicesInformation");
        if (!(list instanceof List<?> l)) {
            return List.of();
        }
        return l.stream().filter(Map.class::isInstance).<Map<?, ?>>map(Map.class::cast).toList();
    }
}
