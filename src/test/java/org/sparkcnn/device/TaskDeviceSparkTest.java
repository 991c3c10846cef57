package org.sparkcnn.device;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TaskDevice#trainingTasks} on an embedded Spark (local mode: the tasks run in this JVM, with the
 * executor state installed here): every partition's task binds and reports before the upstream functions
 * that would create its arrays run, even eager ones; a refused executor fails the job with its reason.
 */
class TaskDeviceSparkTest {
    /** What happened in the tasks, in order. */
    private static final List<String> EVENTS = Collections.synchronizedList(new ArrayList<>());
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("TaskDeviceSparkTest")
                .set("spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stopSpark() {
        sc.close();
    }

    @AfterEach
    void uninstall() {
        ExecutorGpus.install(null);
        EVENTS.clear();
    }

    private static void installCpuExecutor(Optional<String> refusal) {
        ExecutorGpus.install(new ExecutorGpus("driver", "localhost", List.of(),
                new CudaPreflight(List.of(), refusal, true), false, Optional.empty(), CpuDeviceBinder::new,
                use -> EVENTS.add("bound " + use.partition() + " " + use.device())));
    }

    /** Like the minibatch factory: consumes its input as soon as it is called, before anyone iterates. */
    private static JavaRDD<Integer> eagerUpstream() {
        return sc.parallelize(IntStream.range(0, 8).boxed().toList(), 4).mapPartitionsWithIndex((partition, it) -> {
            EVENTS.add("upstream " + partition);
            List<Integer> all = new ArrayList<>();
            it.forEachRemaining(all::add);
            return all.iterator();
        }, true);
    }

    @Test
    void bindsBeforeUpstreamFunctionsRunAndReportsEachPartition() {
        installCpuExecutor(Optional.empty());
        JavaRDD<Integer> bound = TaskDevice.trainingTasks(eagerUpstream());
        assertEquals(4, bound.getNumPartitions());
        assertEquals(IntStream.range(0, 8).boxed().toList(), bound.collect());
        for (int p = 0; p < 4; p++) {
            int bind = EVENTS.indexOf("bound " + p + " cpu");
            int upstream = EVENTS.indexOf("upstream " + p);
            assertTrue(bind >= 0 && bind < upstream, "partition " + p + " bound before upstream: " + EVENTS);
        }
    }

    @Test
    void aRefusedExecutorFailsTheJobWithItsReasonBeforeAnyUpstreamWork() {
        installCpuExecutor(Optional.of("GPU 0 (NVIDIA H100 PCIe) on executor driver has compute capability 9.0"));
        SparkException failure = assertThrows(SparkException.class,
                () -> TaskDevice.trainingTasks(eagerUpstream()).collect());
        GpuUnavailableException cause = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof GpuUnavailableException g) {
                cause = g;
            }
        }
        assertNotNull(cause, "the driver sees the reason as the failure's cause (the CLI prints it, exit 2)");
        assertTrue(cause.getMessage().startsWith("GPU 0 (NVIDIA H100 PCIe)"), cause.getMessage());
        assertTrue(EVENTS.stream().noneMatch(e -> e.startsWith("upstream")), "nothing upstream ran: " + EVENTS);
    }
}
