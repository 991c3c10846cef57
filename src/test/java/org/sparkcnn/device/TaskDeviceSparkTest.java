package org.sparkcnn.device;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TaskDevice#trainingTasks} on an embedded Spark: every partition's task binds (and reports) before
 * the upstream functions that would create its arrays run, even eager ones.
 */
class TaskDeviceSparkTest {
    /** What happened in the tasks, in order (local mode: same JVM). */
    private static final List<String> EVENTS = Collections.synchronizedList(new ArrayList<>());

    @Test
    void bindsBeforeUpstreamFunctionsRunAndReportsEachPartition() {
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("TaskDeviceSparkTest")
                .set("spark.ui.enabled", "false");
        ExecutorGpus.install(new ExecutorGpus("driver", "localhost", List.of(),
                new CudaPreflight(List.of(), Optional.empty(), true), false, Optional.empty(), CpuDeviceBinder::new,
                use -> EVENTS.add("bound " + use.partition() + " " + use.device())));
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            JavaRDD<Integer> eager = sc.parallelize(IntStream.range(0, 8).boxed().toList(), 4)
                    .mapPartitionsWithIndex((partition, it) -> {
                        // like the minibatch factory: consumes its input when called, before anyone iterates
                        EVENTS.add("upstream " + partition);
                        List<Integer> all = new ArrayList<>();
                        it.forEachRemaining(all::add);
                        return all.iterator();
                    }, true);
            JavaRDD<Integer> bound = TaskDevice.trainingTasks(eager);
            assertEquals(4, bound.getNumPartitions());
            assertEquals(IntStream.range(0, 8).boxed().toList(), bound.collect());
        } finally {
            ExecutorGpus.install(null);
        }
        for (int p = 0; p < 4; p++) {
            int bind = EVENTS.indexOf("bound " + p + " cpu");
            int upstream = EVENTS.indexOf("upstream " + p);
            assertTrue(bind >= 0 && bind < upstream, "partition " + p + " bound before upstream: " + EVENTS);
        }
    }
}
