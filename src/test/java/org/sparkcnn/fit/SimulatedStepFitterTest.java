package org.sparkcnn.fit;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatedStepFitterTest {
    @Test
    void eachStepWaitsItsDurationAndReportsNoLoss() {
        SimulatedStepFitter fitter = new SimulatedStepFitter(null, Duration.ofMillis(30));
        long start = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isNaN(fitter.fit(null)), "a wait has no loss");
        }
        double millis = (System.nanoTime() - start) / 1e6;
        assertTrue(millis >= 90, "3 steps of 30 ms took " + millis + " ms");
        assertThrows(IllegalArgumentException.class, () -> new SimulatedStepFitter(null, Duration.ZERO));
    }
}
