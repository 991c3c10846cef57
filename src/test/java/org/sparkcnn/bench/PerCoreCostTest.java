package org.sparkcnn.bench;

import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.MnistFixture;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerCoreCostTest {

    @Test
    void theFitSeparatesTheCostOfAStepFromTheCostOfAnImage() {
        // 12 ms per optimiser step + 1.5 ms per image, measured with +-1 ms of noise
        PerCoreCost.Fit fit = PerCoreCost.fit("onednn", List.of(new PerCoreCost.Point(32, 10, 12 + 1.5 * 32 + 1),
                new PerCoreCost.Point(128, 10, 12 + 1.5 * 128 - 1), new PerCoreCost.Point(512, 10, 12 + 1.5 * 512)));
        assertEquals(1.5, fit.marginalMillisPerImage(), 0.01);
        assertEquals(12, fit.fixedMillisPerMinibatch(), 1.0);
        assertEquals(1000 / fit.marginalMillisPerImage(), fit.ceilingImagesPerSecond(), 1e-9);

        String console = new BenchmarkTable(List.of(), List.of(), List.of(), Optional.of(fit)).console();
        assertTrue(console.contains("       512        780.0       656"), console);
        assertTrue(console.contains("at most 667 images/s per core"), console);
    }

    @Test
    void aBatchSizeTheTrainingSetCannotFillIsRefusedNamingTheSetting() {
        ModelConfig model = new ModelConfig(1, Optimizer.ADAM, 0.002, 0.9, 0, 0.4, 1.0);
        BadInputException e = assertThrows(BadInputException.class, () -> PerCoreCost.measure(org.sparkcnn.config.CpuKernels.ONEDNN, model,
                MnistFixture.testSet().slice(0, 100), 10, List.of(4, 64), 64));
        assertEquals("bench.per-core-batch-sizes: batch size 64 needs at least 384 training images, the training set "
                + "has 100", e.getMessage());
    }

    @Test
    void aPointKnowsItsThroughput() {
        assertEquals(640, new PerCoreCost.Point(64, 3, 100).imagesPerSecond(), 1e-9);
    }
}
