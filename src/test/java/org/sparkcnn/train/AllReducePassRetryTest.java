package org.sparkcnn.train;

import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.common.CapturedLogs;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.model.CnnArchitecture;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark aborts a job whose barrier result stage failed instead of retrying it, so a lost worker would end
 * an all-reduce training run: the trainer runs the pass again itself. Here one worker fails in round 3
 * of a 4-round pass on Spark local[2] (through the {@link WorkerFaults} hook), over shared memory and over
 * the TCP ring: the other worker gives up within seconds, the pass is retried, every round reaches the
 * driver's listener exactly once, and the retried pass gives exactly the model a pass without the failure
 * gives.
 */
@Timeout(180)
class AllReducePassRetryTest {
    private static final String RETRY_LINE = "All-reduce pass failed (attempt";
    private static JavaSparkContext sc;

    @BeforeAll
    static void startSpark() {
        // with the sparkcnn plugin, as the commands run: a retried pass meets through a fresh rendezvous group
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("retry")
                .set("spark.ui.enabled", "false").set("spark.plugins", SparkCnnPlugin.class.getName()));
    }

    @AfterAll
    static void stopSpark() {
        sc.close();
    }

    @AfterEach
    void cleanUp() {
        WorkerFaults.disarm();
        System.clearProperty(AllReduceTask.DISABLE_SHARED_MEMORY_PROPERTY);
    }

    /** A pass of 4 rounds per worker from the configured seed's initial model; returns its parameters. */
    private static float[] pass(int peerTimeoutSeconds, List<Integer> rounds) {
        // the defaults otherwise: dropout 0.4 and the oneDNN step, so that the dropout seeds are exercised
        JobConfig config = JobConfigLoader.load(Optional.empty(), List.of("training.engine=allreduce",
                "training.averaging-frequency=1", "training.peer-timeout-seconds=" + peerTimeoutSeconds));
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(config.model(), DatasetShape.MNIST));
        network.init();
        // real images: nd4j's random arrays are not reproducible after a network's init, whatever the seed
        List<DataSet> batches = new MinibatchFactory(10).toDataSets(MnistFixture.testSet().slice(0, 32), 4, 3);
        JavaRDD<DataSet> minibatches = sc.parallelize(batches, 2);
        new AllReduceTrainer(sc, network, config.training(), 2)
                .fitPass(minibatches, (round, total, loss) -> rounds.add(round), 7L);
        return network.params().toFloatVector();
    }

    @ParameterizedTest(name = "shared memory disabled: {0}")
    @ValueSource(booleans = {false, true})
    void aWorkerThatFailsInRoundThreeFailsThePassWhichIsRetriedAndGivesTheSameModel(boolean tcp) {
        System.setProperty(AllReduceTask.DISABLE_SHARED_MEMORY_PROPERTY, Boolean.toString(tcp));
        String transport = tcp ? "TCP ring" : "shared memory";
        List<Integer> cleanRounds = new ArrayList<>();
        float[] clean = pass(60, cleanRounds);

        List<Integer> rounds = new ArrayList<>();
        float[] retried;
        try (CapturedLogs log = CapturedLogs.of(AllReduceTrainer.class)) {
            WorkerFaults.arm(new WorkerFaults.Fault(1, 3, WorkerFaults.Kind.THROW));
            long start = System.nanoTime();
            retried = pass(60, rounds);
            double passSeconds = (System.nanoTime() - start) / 1e9;
            long failed = WorkerFaults.firedAtNanos();
            assertTrue(failed != 0, "the injected failure happened");
            List<CapturedLogs.Line> retries = log.containing(RETRY_LINE);
            assertEquals(1, retries.size(), "one retry: " + retries);
            double toRetry = (retries.get(0).nanos() - failed) / 1e9;
            System.out.printf("%s: worker 1 threw in round 3; pass retried %.2f s later (peer timeout 60 s), "
                    + "whole pass with the retry %.1f s%n", transport, toRetry, passSeconds);
            assertTrue(toRetry < 10, transport + ": the retry came " + toRetry + " s after the failure");
        }
        assertEquals(List.of(1, 2, 3, 4), cleanRounds);
        assertEquals(List.of(1, 2, 3, 4), rounds, "each round delivered once, in order, despite the retry");
        assertArrayEquals(clean, retried, "the retried pass reproduces the pass it replaces");
    }

    @Test
    void aWorkerThatStopsRespondingIsGivenUpAfterThePeerTimeoutAndItsSlotIsFreedByCancellation() {
        int peerTimeout = 5;
        List<Integer> rounds = new ArrayList<>();
        try (CapturedLogs log = CapturedLogs.of(AllReduceTrainer.class)) {
            // worker 1 blocks in round 3 until its task is cancelled: only the peer timeout can tell it
            // from a slow worker; once worker 0 gives up, Spark cancels worker 1 and the slot is freed for
            // the retry (local[2] has no other slot for the retry's 2 barrier tasks)
            WorkerFaults.arm(new WorkerFaults.Fault(1, 3, WorkerFaults.Kind.STALL));
            float[] params = pass(peerTimeout, rounds);
            long stalled = WorkerFaults.firedAtNanos();
            assertTrue(stalled != 0, "the injected stall happened");
            List<CapturedLogs.Line> retries = log.containing(RETRY_LINE);
            assertEquals(1, retries.size(), "one retry: " + retries);
            double toRetry = (retries.get(0).nanos() - stalled) / 1e9;
            System.out.printf("shared memory: worker 1 stalled in round 3; pass retried %.2f s later "
                    + "(peer timeout %d s)%n", toRetry, peerTimeout);
            assertTrue(toRetry >= peerTimeout * 0.9 && toRetry < peerTimeout + 10, "retried after " + toRetry + " s");
            assertFalse(Float.isNaN(params[0]));
        }
        assertEquals(List.of(1, 2, 3, 4), rounds);
    }
}
