package org.sparkcnn.bench;

import org.junit.jupiter.api.Test;
import org.sparkcnn.train.Validator;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainingClockTest {
    /** A wall clock and a CPU clock the test moves by hand. */
    private static final class Clocks {
        long nanos = 5_000_000_000L;
        double cpu = 100;

        void advance(double seconds, double cpuSeconds) {
            nanos += (long) (seconds * 1e9);
            cpu += cpuSeconds;
        }
    }

    @Test
    void theClockStopsWhileTheModelIsValidated() {
        Clocks clocks = new Clocks();
        TrainingClock clock = new TrainingClock(() -> clocks.nanos, () -> clocks.cpu);
        double[] accuracies = {0.95, 0.99};
        int[] call = {0};
        // each validation takes 4 s of wall time and 7 s of CPU
        Validator validator = clock.timing(network -> {
            clocks.advance(4, 7);
            return new Validator.Score(accuracies[call[0]++], 0.1);
        });

        clocks.advance(10, 18);
        assertEquals(0.95, validator.validate(null).accuracy());
        clocks.advance(10, 18);
        validator.validate(null);
        clocks.advance(2, 3);

        // 10 s trained, validated (4 s), 10 s more trained: the second validation is at 20 s, not 24
        assertEquals(List.of(new ValidationPoint(10, 0.95), new ValidationPoint(20, 0.99)), clock.validations());
        assertEquals(22, clock.trainingSeconds(), 1e-9);
        assertEquals(8, clock.validationSeconds(), 1e-9);
        assertEquals(39, clock.trainingCpuSeconds(), 1e-9);
    }

    @Test
    void withoutValidationsTheClockIsTheWallClock() {
        Clocks clocks = new Clocks();
        TrainingClock clock = new TrainingClock(() -> clocks.nanos, () -> clocks.cpu);
        clocks.advance(12.5, 20);
        assertEquals(12.5, clock.trainingSeconds(), 1e-9);
        assertEquals(20, clock.trainingCpuSeconds(), 1e-9);
        assertEquals(List.of(), clock.validations());
    }
}
