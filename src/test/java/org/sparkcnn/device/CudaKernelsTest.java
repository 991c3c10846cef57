package org.sparkcnn.device;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CudaKernelsTest {
    @Test
    void parsesNvidiaSmiAndSmNames() {
        assertEquals(new ComputeCapability(8, 6), ComputeCapability.parse("8.6"));
        assertEquals(new ComputeCapability(3, 7), ComputeCapability.parse(" sm_37 "));
        assertEquals(new ComputeCapability(10, 0), ComputeCapability.parse("sm_100"));
        assertEquals("sm_90", ComputeCapability.parse("9.0").sm());
        assertThrows(IllegalArgumentException.class, () -> ComputeCapability.parse("[N/A]"));
        assertThrows(IllegalArgumentException.class, () -> ComputeCapability.parse("86"));
    }

    @Test
    void keplerK80ToAmpereRunHopperAndOlderKeplerDoNot() {
        for (String ok : new String[]{"3.7", "5.0", "5.2", "6.0", "6.1", "7.0", "7.5", "8.0", "8.6"}) {
            assertTrue(CudaKernels.supports(ComputeCapability.parse(ok)), ok);
        }
        // Ada runs the sm_86 cubins (same major, higher minor: CUDA's binary compatibility rule)
        assertTrue(CudaKernels.supports(ComputeCapability.parse("8.9")));
        for (String no : new String[]{"3.0", "3.5", "2.1", "9.0", "10.0", "12.0"}) {
            assertFalse(CudaKernels.supports(ComputeCapability.parse(no)), no);
        }
    }

    @Test
    void refusalNamesTheGpuItsCapabilityTheRangeAndTheCpuFallback() {
        GpuInfo h100 = new GpuInfo(1, "GPU-1", "NVIDIA H100 PCIe", Optional.of(ComputeCapability.parse("9.0")));
        String message = CudaKernels.refusal(h100, "executor 4 on gpu-node-2").orElseThrow();
        assertTrue(message.startsWith("GPU 1 (NVIDIA H100 PCIe) on executor 4 on gpu-node-2 has compute capability 9.0"),
                message);
        assertTrue(message.contains("sm_90") && message.contains("sm_37..sm_86"), message);
        assertTrue(message.contains("default sparkcnn jar"), message);

        GpuInfo a100 = new GpuInfo(0, "GPU-0", "NVIDIA A100-SXM4-40GB", Optional.of(ComputeCapability.parse("8.0")));
        assertEquals(Optional.empty(), CudaKernels.refusal(a100, "x"));
        GpuInfo unknown = new GpuInfo(0, "GPU-0", "old driver", Optional.empty());
        assertEquals(Optional.empty(), CudaKernels.refusal(unknown, "x"), "unknown capability: checked after nd4j starts");
    }

    @Test
    void aBackendThatDoesNotStartIsExplainedByItsInnermostCause() {
        Throwable failure = new ExceptionInInitializerError(new UnsatisfiedLinkError("Could not find jnicudart"));
        String message = CudaKernels.startFailure("executor 2 on n2", failure);
        assertTrue(message.startsWith("nd4j's CUDA backend failed to start on executor 2 on n2 "
                + "(java.lang.UnsatisfiedLinkError: Could not find jnicudart;"), message);
        assertTrue(message.contains("sm_37..sm_86") && message.contains("default sparkcnn jar"), message);
    }
}
