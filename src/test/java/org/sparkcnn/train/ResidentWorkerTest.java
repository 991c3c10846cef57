package org.sparkcnn.train;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.allreduce.LocalGroup;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.fit.Dl4jFitter;
import org.sparkcnn.model.CnnArchitecture;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two resident workers on a loopback ring must end a round with exactly the average of what each would
 * have reached alone from the same start: parameters and Adam's moments alike, and the round's loss is
 * the mean over all their minibatches.
 */
@Timeout(120)
class ResidentWorkerTest {
    /** No dropout, so that fitting a minibatch is deterministic and can be replayed outside the ring. */
    private static final ModelConfig NO_DROPOUT = new ModelConfig(7, Optimizer.ADAM, 1e-3, 0.9, 0, 0, 1.0);

    @Test
    void workersAverageParametersOptimiserStateAndLossEveryRound() throws Exception {
        MultiLayerNetwork start = new MultiLayerNetwork(CnnArchitecture.build(NO_DROPOUT, DatasetShape.MNIST));
        start.init();
        NetworkSnapshot initial = NetworkSnapshot.of(start);
        List<DataSet> batches = new MinibatchFactory(10).toDataSets(MnistFixture.testSet().slice(0, 64), 16, 3);
        List<List<DataSet>> shares = List.of(batches.subList(0, 2), batches.subList(2, 4));

        // what the ring must produce: each worker fits its 2 minibatches alone, then the two are averaged
        MultiLayerNetwork alone0 = initial.toNetwork();
        MultiLayerNetwork alone1 = initial.toNetwork();
        double expectedLoss = (fitAll(alone0, shares.get(0)) + fitAll(alone1, shares.get(1))) / 4;
        INDArray expectedParams = alone0.params().add(alone1.params()).divi(2);
        INDArray expectedState = NetworkSnapshot.updaterState(alone0).add(NetworkSnapshot.updaterState(alone1)).divi(2);

        List<MultiLayerNetwork> networks = List.of(initial.toNetwork(), initial.toNetwork());
        // one round of 2 minibatches per worker: averaged once, after both
        List<WorkerReport> reports = LocalGroup.run(LocalGroup.Transport.TCP_RING, 2, Duration.ofSeconds(30),
                Duration.ofSeconds(90), (rank, ring) -> new ResidentWorker(new Dl4jFitter(networks.get(rank)), ring, true)
                        .fit(shares.get(rank), 2, 1, (a, b, c) -> { }));
        for (int r = 0; r < 2; r++) {
            WorkerReport report = reports.get(r);
            assertEquals(2, report.minibatches);
            assertEquals(expectedLoss, report.roundLosses[0], 1e-5);
            MultiLayerNetwork network = networks.get(r);
            assertArrayEquals(expectedParams.toFloatVector(), network.params().toFloatVector(), 1e-6f);
            assertArrayEquals(expectedState.toFloatVector(), NetworkSnapshot.updaterState(network).toFloatVector(),
                    1e-9f);
        }
    }

    @Test
    void subnormalOptimiserStateIsFlushedEveryTwentyMinibatches() throws Exception {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(NO_DROPOUT, DatasetShape.MNIST));
        network.init();
        // as after long training: Adam's moments of weights without gradient decayed into the subnormal range
        NetworkSnapshot.updaterState(network).assign(1e-39f);
        List<DataSet> batches = new MinibatchFactory(10).toDataSets(MnistFixture.testSet().slice(0, 20 * 8), 8, 5);
        // 10 rounds of 2 minibatches: the flush comes after the 10th round, the last
        LocalGroup.run(LocalGroup.Transport.SHARED_MEMORY, 1, Duration.ofSeconds(30), Duration.ofSeconds(90),
                (rank, group) -> new ResidentWorker(new Dl4jFitter(network), group, true).fit(batches, 2, 10, (a, b, c) -> { }));
        float[] state = NetworkSnapshot.updaterState(network).toFloatVector();
        int subnormal = 0;
        int zero = 0;
        for (float v : state) {
            subnormal += v != 0 && Math.abs(v) < Float.MIN_NORMAL ? 1 : 0;
            zero += v == 0 ? 1 : 0;
        }
        assertEquals(0, subnormal, "subnormal optimiser state values left");
        // the weights that got no gradient (zero-valued input pixels at the border, dead units) are the ones cleared
        assertTrue(zero > 0, "no state value was flushed");
    }

    @Test
    void aSnapshotRestoresParametersStateAndIterationCount() {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(NO_DROPOUT, DatasetShape.MNIST));
        network.init();
        fitAll(network, new MinibatchFactory(10).toDataSets(MnistFixture.testSet().slice(0, 32), 16, 1));
        MultiLayerNetwork copy = NetworkSnapshot.of(network).toNetwork();
        assertArrayEquals(network.params().toFloatVector(), copy.params().toFloatVector());
        assertArrayEquals(NetworkSnapshot.updaterState(network).toFloatVector(),
                NetworkSnapshot.updaterState(copy).toFloatVector());
        assertEquals(2, copy.getLayerWiseConfigurations().getIterationCount());
    }

    /** Fits each minibatch once; returns the summed minibatch losses. */
    private static double fitAll(MultiLayerNetwork network, List<DataSet> batches) {
        double sum = 0;
        for (DataSet batch : batches) {
            network.fit(batch);
            sum += network.score();
        }
        return sum;
    }
}
