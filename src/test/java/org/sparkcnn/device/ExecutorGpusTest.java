package org.sparkcnn.device;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding tasks with fake resource maps and a fake nd4j device binder (no GPU here). */
class ExecutorGpusTest {
    /** Records what nd4j would have been told. */
    private static final class RecordingBinder implements DeviceBinder {
        final List<Integer> bound = new ArrayList<>();
        int asked;

        @Override
        public void bind(int ordinal) {
            bound.add(ordinal);
        }

        @Override
        public int current() {
            return 0;
        }

        @Override
        public int deviceCount() {
            return 2;
        }

        @Override
        public String describe(int ordinal) {
            return "Fake GPU " + ordinal + ", compute capability 8.0";
        }
    }

    private static final List<GpuInfo> TWO_A100 = List.of(
            new GpuInfo(0, "GPU-a", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0))),
            new GpuInfo(1, "GPU-b", "NVIDIA A100", Optional.of(new ComputeCapability(8, 0))));

    private final RecordingBinder binder = new RecordingBinder();
    private final List<TaskDeviceUse> sent = new ArrayList<>();

    private ExecutorGpus executor(List<String> sparkGpus, Optional<String> refusal, boolean cuda) {
        return new ExecutorGpus("7", "gpu-node-1", sparkGpus, new CudaPreflight(TWO_A100, refusal, true), cuda,
                Optional.empty(), () -> {
                    binder.asked++;
                    return binder;
                }, sent::add);
    }

    @Test
    void twoTasksOnATwoGpuExecutorEachBindTheirOwnGpu() {
        ExecutorGpus gpus = executor(List.of("0", "1"), Optional.empty(), true);
        TaskDeviceUse first = gpus.bind(Map.of("gpu", List.of("0")), 4);
        TaskDeviceUse second = gpus.bind(Map.of("gpu", List.of("1")), 5);
        assertEquals(List.of(0, 1), binder.bound);
        assertEquals(new TaskDeviceUse("7", "gpu-node-1", 4, "cuda:0", "0", "Fake GPU 0, compute capability 8.0"), first);
        assertEquals("cuda:1", second.device());
        assertEquals("1", second.gpuAddress());
    }

    @Test
    void withoutGpuResourcesTheCpuBuildDoesNotTouchNd4j() {
        TaskDeviceUse use = executor(List.of(), Optional.empty(), false).bind(Map.of(), 2);
        assertEquals(new TaskDeviceUse("7", "gpu-node-1", 2, "cpu", null, "CPU"), use);
        assertEquals(0, binder.asked);
    }

    @Test
    void theCudaBuildWithoutSparkGpusSaysNd4jChose() {
        TaskDeviceUse use = executor(List.of(), Optional.empty(), true).bind(Map.of(), 0);
        assertEquals("cuda:0", use.device());
        assertNull(use.gpuAddress());
        assertTrue(use.description().contains("no GPU assigned by Spark"), use.description());
        assertEquals(List.of(), binder.bound);
    }

    @Test
    void aRefusedExecutorFailsEveryTaskWithItsReason() {
        ExecutorGpus refused = executor(List.of("0"), Optional.of("GPU 0 (NVIDIA H100, compute capability 9.0) ..."), true);
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> refused.bind(Map.of("gpu", List.of("0")), 0));
        assertTrue(e.getMessage().startsWith("GPU 0 (NVIDIA H100"), e.getMessage());
        assertEquals(0, binder.asked, "nd4j is never started on a refused executor");
        GpuUnavailableException later = assertThrows(GpuUnavailableException.class,
                () -> executor(List.of("0"), Optional.empty(), true).refuse("CUDA failed").bind(Map.of(), 0));
        assertEquals("CUDA failed", later.getMessage());
    }

    @Test
    void aGpuTaskOnTheCpuBuildIsRefused() {
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> executor(List.of("0"), Optional.empty(), false).bind(Map.of("gpu", List.of("0")), 3));
        assertTrue(e.getMessage().contains("-Pcuda") && e.getMessage().contains("partition 3"), e.getMessage());
    }

    @Test
    void preflightOfTheCpuBuildRefusesSparkGpusAndAcceptsNone() {
        assertEquals(Optional.empty(), ExecutorGpus.preflight("1", "h", List.of(), false).refusal());
        String refusal = ExecutorGpus.preflight("1", "h", List.of("0", "1"), false).refusal().orElseThrow();
        assertTrue(refusal.contains("executor 1 on h") && refusal.contains("[0, 1]") && refusal.contains("-Pcuda"), refusal);
    }

    @Test
    void eachDeviceAndPartitionIsReportedToTheDriverOnce() {
        ExecutorGpus gpus = executor(List.of("0", "1"), Optional.empty(), true);
        gpus.report(gpus.bind(Map.of("gpu", List.of("0")), 0));
        gpus.report(gpus.bind(Map.of("gpu", List.of("0")), 0));
        gpus.report(gpus.bind(Map.of("gpu", List.of("1")), 0));
        assertEquals(List.of("cuda:0", "cuda:1"), sent.stream().map(TaskDeviceUse::device).toList());
    }

    @Test
    void startingTheCpuBuildWithoutGpusStartsNd4jAsBefore() {
        List<String> started = new ArrayList<>();
        ExecutorGpus.Started s = ExecutorGpus.start("1", "n1", List.of(), false,
                ExecutorGpus.preflight("1", "n1", List.of(), false), Optional.empty(), () -> {
                    started.add("nd4j");
                    return "CPU, oneDNN, 1 threads";
                }, () -> binder, sent::add);
        assertEquals(List.of("nd4j"), started);
        assertEquals("CPU, oneDNN, 1 threads", s.description());
        assertEquals(Optional.empty(), s.gpus().refusal());
        IllegalStateException cpuFailure = new IllegalStateException("boom");
        assertThrows(IllegalStateException.class, () -> ExecutorGpus.start("1", "n1", List.of(), false,
                ExecutorGpus.preflight("1", "n1", List.of(), false), Optional.empty(), () -> {
                    throw cpuFailure;
                }, () -> binder, sent::add), "a CPU backend failure stays what it was");
    }

    @Test
    void sparkGpusOnTheCpuBuildAreRefusedWithoutStartingNd4j() {
        ExecutorGpus.Started s = ExecutorGpus.start("3", "n3", List.of("0", "1"), false,
                ExecutorGpus.preflight("3", "n3", List.of("0", "1"), false), Optional.empty(), () -> {
                    throw new AssertionError("nd4j must not start");
                }, () -> binder, sent::add);
        assertTrue(s.description().startsWith("refused: executor 3 on n3 was given GPUs [0, 1]"), s.description());
        assertThrows(GpuUnavailableException.class, () -> s.gpus().bind(Map.of("gpu", List.of("0")), 0));
    }

    @Test
    void aCudaBackendThatCannotStartRefusesTheExecutorInsteadOfKillingIt() {
        ExecutorGpus.Started s = ExecutorGpus.start("4", "n4", List.of("0"), true,
                new CudaPreflight(TWO_A100, Optional.empty(), true), Optional.empty(), () -> {
                    throw new ExceptionInInitializerError(new UnsatisfiedLinkError("libcuda.so.1: cannot open"));
                }, () -> binder, sent::add);
        assertTrue(s.description().startsWith("refused: nd4j's CUDA backend failed to start on executor 4 on n4 "
                + "(java.lang.UnsatisfiedLinkError: libcuda.so.1: cannot open;"), s.description());
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> s.gpus().bind(Map.of("gpu", List.of("0")), 0));
        assertTrue(e.getMessage().contains("default sparkcnn jar"), e.getMessage());
    }

    @Test
    void aStartedCudaExecutorDescribesItsSparkGpus() {
        ExecutorGpus.Started s = ExecutorGpus.start("5", "n5", List.of("0", "1"), true,
                new CudaPreflight(TWO_A100, Optional.empty(), true), Optional.empty(), () -> "CUDA, 1 threads",
                () -> binder, sent::add);
        assertEquals("CUDA, 1 threads, Spark GPUs [0, 1]: 0 NVIDIA A100 (sm_80), 1 NVIDIA A100 (sm_80)",
                s.description());
        assertEquals("cuda:1", s.gpus().bind(Map.of("gpu", List.of("1")), 9).device());
    }

    @Test
    void describesItsGpusForTheReport() {
        assertEquals("Spark GPUs [0, 1]: 0 NVIDIA A100 (sm_80), 1 NVIDIA A100 (sm_80)",
                executor(List.of("0", "1"), Optional.empty(), true).describeGpus());
        assertEquals("Spark GPUs [1]: 1 NVIDIA A100 (sm_80)",
                executor(List.of("1"), Optional.empty(), true).describeGpus(), "only the executor's own GPUs");
        assertEquals("", executor(List.of(), Optional.empty(), false).describeGpus());
    }
}
