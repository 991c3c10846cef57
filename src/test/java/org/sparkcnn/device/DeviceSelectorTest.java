package org.sparkcnn.device;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Device choice from fake task resource maps, as TaskContext.resources() would hand them over. */
class DeviceSelectorTest {
    private static final List<GpuInfo> NODE = List.of(
            new GpuInfo(0, "GPU-aaaa-0000", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0))),
            new GpuInfo(1, "GPU-bbbb-1111", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0))),
            new GpuInfo(2, "GPU-cccc-2222", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0))),
            new GpuInfo(3, "GPU-dddd-3333", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0))));

    @Test
    void withoutGpuResourcesATaskStaysOnTheCpu() {
        assertEquals(DeviceChoice.CPU, DeviceSelector.choose(Map.of(), Optional.empty(), NODE));
        assertEquals(DeviceChoice.CPU, DeviceSelector.choose(Map.of("gpu", List.of()), Optional.empty(), NODE));
        assertEquals(DeviceChoice.CPU, DeviceSelector.choose(Map.of("fpga", List.of("0")), Optional.empty(), NODE));
        assertEquals("cpu", DeviceChoice.CPU.label());
    }

    @Test
    void eachTaskGetsTheGpuSparkAssignedToIt() {
        // an executor with 4 GPUs runs 4 tasks at once, one per GPU
        for (int gpu = 0; gpu < 4; gpu++) {
            DeviceChoice choice = DeviceSelector.choose(Map.of("gpu", List.of(Integer.toString(gpu))), Optional.empty(), NODE);
            assertEquals(DeviceChoice.gpu(Integer.toString(gpu), gpu), choice);
            assertEquals("cuda:" + gpu, choice.label());
        }
    }

    @Test
    void cudaVisibleDevicesRenumbersTheGpusTheProcessSees() {
        Map<String, List<String>> gpu3 = Map.of("gpu", List.of("3"));
        assertEquals(1, DeviceSelector.choose(gpu3, Optional.of("2,3"), NODE).ordinal().getAsInt());
        assertEquals(0, DeviceSelector.choose(gpu3, Optional.of(" 3 , 1"), NODE).ordinal().getAsInt());
        assertEquals(1, DeviceSelector.choose(gpu3, Optional.of("GPU-aaaa,GPU-dddd-3333"), NODE).ordinal().getAsInt(),
                "UUID entries (also prefixes) are matched through nvidia-smi's list");
        assertEquals(3, DeviceSelector.choose(gpu3, Optional.of(""), NODE).ordinal().getAsInt(), "blank = unset");
    }

    @Test
    void inconsistentAssignmentsAreRefusedClearly() {
        GpuUnavailableException hidden = assertThrows(GpuUnavailableException.class,
                () -> DeviceSelector.choose(Map.of("gpu", List.of("1")), Optional.of("2,3"), NODE));
        assertTrue(hidden.getMessage().contains("GPU 1") && hidden.getMessage().contains("CUDA_VISIBLE_DEVICES=2,3"),
                hidden.getMessage());
        GpuUnavailableException notIndex = assertThrows(GpuUnavailableException.class,
                () -> DeviceSelector.choose(Map.of("gpu", List.of("GPU-aaaa")), Optional.empty(), NODE));
        assertTrue(notIndex.getMessage().contains("gpu-discovery.sh"), notIndex.getMessage());
    }

    @Test
    void aTaskGivenSeveralGpusTrainsOnItsFirst() {
        assertEquals(DeviceChoice.gpu("2", 2),
                DeviceSelector.choose(Map.of("gpu", List.of("2", "3")), Optional.empty(), NODE));
    }
}
