package org.sparkcnn.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ValidationSpacingTest {
    @Test
    void everyCaseIsValidatedAfterTheSameNumberOfTrainingImages() {
        // 10 rounds of 2 workers x 5 minibatches: 100 minibatches between two validations
        ValidationSpacing spacing = new ValidationSpacing(10, 2, 5);
        assertEquals(100, spacing.singleJvmMinibatches());
        assertEquals(10, spacing.roundsAveragingEvery(5));
        assertEquals(50, spacing.roundsAveragingEvery(1), "5 times the rounds of a fifth of the minibatches");
        assertEquals(3, spacing.roundsAveragingEvery(20), "2.5 rounds, rounded");
        assertEquals(1, new ValidationSpacing(1, 2, 1).roundsAveragingEvery(20), "at least one round");
    }

    @Test
    void epochStaysEpoch() {
        ValidationSpacing spacing = new ValidationSpacing(0, 2, 5);
        assertEquals(0, spacing.singleJvmMinibatches());
        assertEquals(0, spacing.roundsAveragingEvery(20));
    }
}
