package org.sparkcnn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EarlyStoppingTest {
    private static ValidationState run(EarlyStopping rule, double... accuracies) {
        ValidationState state = ValidationState.INITIAL;
        for (int i = 0; i < accuracies.length; i++) {
            state = rule.observe(state, i + 1, 10L * (i + 1), true, accuracies[i], 1 - accuracies[i]);
        }
        return state;
    }

    @Test
    void stopsAfterPatienceValidationsWithoutImprovementAndKeepsTheBest() {
        EarlyStopping rule = new EarlyStopping(2, 0.0);
        ValidationState state = run(rule, 0.90, 0.95, 0.94);
        assertFalse(state.stopped());
        assertEquals(1, state.validationsWithoutImprovement());
        assertEquals(0.95, state.best().orElseThrow().accuracy());

        state = rule.observe(state, 4, 40, true, 0.95, 0.05);
        assertTrue(state.stopped(), "equal is no improvement");
        assertEquals(2, state.best().orElseThrow().epoch());
        assertTrue(state.stopReason().contains("2 validations") && state.stopReason().contains("epoch 2"),
                state.stopReason());
        ValidationState stopped = state;
        assertThrows(IllegalStateException.class, () -> rule.observe(stopped, 5, 50, true, 0.99, 0.01));
    }

    @Test
    void anImprovementResetsThePatience() {
        ValidationState state = run(new EarlyStopping(2, 0.0), 0.90, 0.89, 0.91, 0.90);
        assertFalse(state.stopped());
        assertEquals(1, state.validationsWithoutImprovement());
        assertEquals(List.of(true, false, true, false), state.history().stream().map(ValidationRecord::improved).toList());
    }

    @Test
    void gainsNotLargerThanMinDeltaDoNotCountAndDoNotMoveTheBest() {
        ValidationState state = run(new EarlyStopping(3, 0.01), 0.90, 0.905, 0.909, 0.92);
        assertFalse(state.stopped());
        assertEquals(0.92, state.best().orElseThrow().accuracy());
        state = run(new EarlyStopping(2, 0.01), 0.90, 0.905, 0.909);
        assertTrue(state.stopped());
        assertEquals(1, state.best().orElseThrow().epoch(), "the best is the last real improvement");
    }

    @Test
    void patienceZeroNeverStopsButStillTracksTheBest() {
        ValidationState state = run(EarlyStopping.OFF, 0.9, 0.8, 0.7, 0.6, 0.5);
        assertFalse(state.stopped());
        assertEquals(1, state.best().orElseThrow().epoch());
        assertEquals(4, state.validationsWithoutImprovement());
    }

    @Test
    void theStateSurvivesTheCheckpointJsonRoundTrip() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ValidationState state = run(new EarlyStopping(1, 0.5), 0.9, 0.95);
        assertTrue(state.stopped());
        TrainingPosition position = new TrainingPosition(2, 1, 3, 7, List.of(), List.of(0.5), state,
                state.best().orElseThrow().modelName());
        TrainingPosition read = json.readValue(json.writeValueAsString(position), TrainingPosition.class);
        assertEquals(position, read);
        assertEquals("best-e0001-r0000010", read.validation().best().orElseThrow().modelName());
        // a checkpoint written before validation existed reads as "no validations yet"
        String old = "{\"epoch\":2,\"segmentsDone\":0,\"segmentsPerEpoch\":1,\"seed\":7,\"completedEpochs\":[],"
                + "\"roundLosses\":[0.5]}";
        TrainingPosition before = json.readValue(old, TrainingPosition.class);
        assertEquals(ValidationState.INITIAL, before.validation());
        assertTrue(before.storedBestModel().isEmpty());
    }
}
