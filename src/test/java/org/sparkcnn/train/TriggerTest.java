package org.sparkcnn.train;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriggerTest {
    /** Boundaries of a run: {@code epochs} epochs of {@code segments} segments of {@code rounds} rounds each. */
    private static List<TriggerState> boundaries(int epochs, int segments, int rounds) {
        List<TriggerState> all = new ArrayList<>();
        long previous = 0;
        for (int e = 1; e <= epochs; e++) {
            for (int s = 1; s <= segments; s++) {
                long now = previous + rounds;
                all.add(new TriggerState(e, s == segments, now, previous, false));
                previous = now;
            }
        }
        return all;
    }

    private static List<Long> firingRounds(Trigger trigger, List<TriggerState> states) {
        return states.stream().filter(trigger::fires).map(TriggerState::rounds).toList();
    }

    @Test
    void neverFiresAtAll() {
        List<TriggerState> states = new ArrayList<>(boundaries(3, 3, 4));
        states.add(new TriggerState(3, true, 36, 32, true));
        assertEquals(List.of(), firingRounds(Trigger.never(), states));
    }

    @Test
    void everyEpochFiresAtEpochEndsOnly() {
        assertEquals(List.of(12L, 24L, 36L), firingRounds(Trigger.everyEpoch(), boundaries(3, 3, 4)));
    }

    @Test
    void severalIterationFiresAtTheFirstBoundaryAtOrAfterEachMultiple() {
        // segments of 4 rounds: multiples of 10 are passed at 12, 20, 32
        assertEquals(List.of(12L, 20L, 32L), firingRounds(Trigger.severalIteration(10), boundaries(3, 3, 4)));
        // every boundary when the interval is the segment length
        assertEquals(9, firingRounds(Trigger.severalIteration(4), boundaries(3, 3, 4)).size());
        // a segment that passes two multiples fires once
        assertTrue(Trigger.severalIteration(2).fires(new TriggerState(1, false, 5, 0, false)));
        assertThrows(IllegalArgumentException.class, () -> Trigger.severalIteration(0));
    }

    @Test
    void maxEpochFiresOnceTheEpochsAreComplete() {
        Trigger end = Trigger.maxEpoch(2);
        assertFalse(end.fires(new TriggerState(2, false, 20, 16, false)), "epoch 2 still running");
        assertTrue(end.fires(new TriggerState(2, true, 24, 20, false)));
        assertEquals(List.of(24L), firingRounds(end, boundaries(2, 3, 4)));
    }

    @Test
    void orFiresWhenEitherDoesAndStopRequestedEndsTraining() {
        Trigger validate = Trigger.severalIteration(10).or(Trigger.maxEpoch(3));
        assertEquals(List.of(12L, 20L, 32L, 36L), firingRounds(validate, boundaries(3, 3, 4)));
        Trigger end = Trigger.maxEpoch(3).or(Trigger.stopRequested());
        assertFalse(end.fires(new TriggerState(1, false, 4, 0, false)));
        assertTrue(end.fires(new TriggerState(1, false, 4, 0, true)));
    }
}
