package org.sparkcnn.device;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaPreflightTest {
    private static final GpuInfo A100 = new GpuInfo(0, "GPU-a", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0)));
    private static final GpuInfo H100 = new GpuInfo(1, "GPU-h", "NVIDIA H100 PCIe", Optional.of(new ComputeCapability(9, 0)));

    private static GpuInventory listing(GpuInfo... gpus) {
        return () -> List.of(gpus);
    }

    private static final GpuInventory NO_NVIDIA_SMI = () -> {
        throw new GpuUnavailableException("cannot run nvidia-smi");
    };

    @Test
    void supportedGpusPass() {
        CudaPreflight ok = CudaPreflight.check("executor 1 on n1", listing(A100), Optional.empty(), true);
        assertEquals(Optional.empty(), ok.refusal());
        assertEquals(List.of(A100), ok.visibleGpus());
        assertTrue(ok.capabilitiesKnown());
    }

    @Test
    void anyVisibleUnsupportedGpuIsRefusedBecauseNd4jStartsThemAll() {
        CudaPreflight mixed = CudaPreflight.check("executor 1 on n1", listing(A100, H100), Optional.empty(), true);
        String refusal = mixed.refusal().orElseThrow();
        assertTrue(refusal.contains("NVIDIA H100 PCIe") && refusal.contains("9.0") && refusal.contains("executor 1 on n1"),
                refusal);
        // hidden from the process by CUDA_VISIBLE_DEVICES: nd4j never sees it
        assertEquals(Optional.empty(), CudaPreflight.check("e", listing(A100, H100), Optional.of("0"), true).refusal());
    }

    @Test
    void noDriverIsRefused() {
        String refusal = CudaPreflight.check("the Spark driver's host", NO_NVIDIA_SMI, Optional.empty(), false).refusal().orElseThrow();
        assertTrue(refusal.contains("the Spark driver's host has no NVIDIA driver") && refusal.contains("/proc/driver/nvidia/version"),
                refusal);
        assertTrue(refusal.contains("default sparkcnn jar"), refusal);
    }

    @Test
    void aDriverWithoutNvidiaSmiIsCheckedOnceNd4jHasStarted() {
        CudaPreflight later = CudaPreflight.check("e", NO_NVIDIA_SMI, Optional.empty(), true);
        assertEquals(Optional.empty(), later.refusal());
        assertFalse(later.capabilitiesKnown());
        GpuInfo oldDriver = new GpuInfo(0, "GPU-a", "Tesla P100", Optional.empty());
        assertFalse(CudaPreflight.check("e", listing(oldDriver), Optional.empty(), true).capabilitiesKnown());
    }

    @Test
    void noVisibleGpuIsRefused() {
        String refusal = CudaPreflight.check("e", listing(A100), Optional.of("5"), true).refusal().orElseThrow();
        assertTrue(refusal.contains("no usable NVIDIA GPU") && refusal.contains("CUDA_VISIBLE_DEVICES=5"), refusal);
    }
}
