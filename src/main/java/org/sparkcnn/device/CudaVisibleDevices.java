package org.sparkcnn.device;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The value of CUDA_VISIBLE_DEVICES: which GPUs a process sees, by nvidia-smi index or UUID (prefix), in the
 * order CUDA numbers them from 0.
 */
record CudaVisibleDevices(List<String> entries) {
    CudaVisibleDevices {
        entries = List.copyOf(entries);
    }

    /** Empty when the variable is unset or blank: then the process sees every GPU. */
    static Optional<CudaVisibleDevices> parse(Optional<String> value) {
        return value.map(String::trim).filter(v -> !v.isEmpty()).map(v -> new CudaVisibleDevices(
                Arrays.stream(v.split(",")).map(String::trim).filter(e -> !e.isEmpty()).toList()));
    }

    /** The CUDA ordinal of the GPU with this nvidia-smi index and UUID ("" when unknown), if visible. */
    OptionalInt ordinalOf(int index, String uuid) {
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i);
            if (e.equals(Integer.toString(index)) || (!uuid.isEmpty() && uuid.startsWith(e))) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    boolean shows(GpuInfo gpu) {
        return ordinalOf(gpu.index(), gpu.uuid()).isPresent();
    }

    @Override
    public String toString() {
        return String.join(",", entries);
    }
}
