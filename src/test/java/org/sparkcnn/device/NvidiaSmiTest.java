package org.sparkcnn.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NvidiaSmiTest {
    @Test
    void parsesIndexUuidNameWithCommasAndCapability() {
        List<GpuInfo> gpus = NvidiaSmi.parse("""
                0, GPU-5b2c0f3e-aaaa, NVIDIA A100-SXM4-40GB, 8.0
                1, GPU-77d1-bbbb, Tesla K80, rev 2, 3.7
                2, GPU-cccc, NVIDIA H100 PCIe, [N/A]
                """);
        assertEquals(List.of(
                new GpuInfo(0, "GPU-5b2c0f3e-aaaa", "NVIDIA A100-SXM4-40GB", Optional.of(new ComputeCapability(8, 0))),
                new GpuInfo(1, "GPU-77d1-bbbb", "Tesla K80, rev 2", Optional.of(new ComputeCapability(3, 7))),
                new GpuInfo(2, "GPU-cccc", "NVIDIA H100 PCIe", Optional.empty())), gpus);
    }

    @Test
    void parsesTheOldDriverFormatWithoutCapability() {
        assertEquals(List.of(new GpuInfo(0, "GPU-1", "Tesla V100-PCIE-16GB", Optional.empty())),
                NvidiaSmi.parse("0, GPU-1, Tesla V100-PCIE-16GB\n"));
        assertThrows(GpuUnavailableException.class, () -> NvidiaSmi.parse("No devices were found\n"));
    }

    @Test
    void runsNvidiaSmiAndFallsBackWhenTheDriverDoesNotKnowComputeCap(@TempDir Path dir) throws IOException {
        Path fake = FakeNvidiaSmi.write(dir, """
                case "$*" in
                  *compute_cap*) echo 'Field "compute_cap" is not a valid field to query.'; exit 2 ;;
                  *) printf '0, GPU-aaaa, Tesla P100-PCIE-16GB\\n' ;;
                esac
                """);
        assertEquals(List.of(new GpuInfo(0, "GPU-aaaa", "Tesla P100-PCIE-16GB", Optional.empty())),
                new NvidiaSmi(fake.toString()).gpus());
    }

    @Test
    void aMissingOrFailingNvidiaSmiIsAClearError(@TempDir Path dir) throws IOException {
        GpuUnavailableException missing = assertThrows(GpuUnavailableException.class,
                () -> new NvidiaSmi(dir.resolve("nvidia-smi").toString()).gpus());
        assertTrue(missing.getMessage().contains("no NVIDIA driver"), missing.getMessage());

        Path failing = FakeNvidiaSmi.write(dir, "echo 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.'; exit 9\n");
        GpuUnavailableException failed = assertThrows(GpuUnavailableException.class,
                () -> new NvidiaSmi(failing.toString()).gpus());
        assertTrue(failed.getMessage().contains("exit 9") && failed.getMessage().contains("could not communicate"),
                failed.getMessage());
    }
}
