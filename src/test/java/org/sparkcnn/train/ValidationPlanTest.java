package org.sparkcnn.train;

import org.junit.jupiter.api.Test;
import org.sparkcnn.config.ValidationConfig;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationPlanTest {
    private static final Validator VALIDATOR = network -> new Validator.Score(0.5, 1.0);
    private static final ValidationConfig EVERY_20_ROUNDS = new ValidationConfig(20, 3, 0.001);

    @Test
    void aValidationSetKeepsTheBestModelAndFollowsTheConfiguredScheduleAndStopping() {
        ValidationPlan plan = ValidationPlan.of(EVERY_20_ROUNDS, VALIDATOR, ValidationPlan.VALIDATION, 500);
        assertTrue(plan.measures());
        assertTrue(plan.keepBest());
        assertEquals(500, plan.examples());
        assertEquals(20, plan.everyRounds());
        assertEquals(new EarlyStopping(3, 0.001), plan.stopping());
        assertTrue(plan.when().fires(new TriggerState(1, false, 20, 16, false)));
        assertFalse(plan.when().fires(new TriggerState(1, true, 16, 12, false)), "rounds based, not epoch ends");
    }

    @Test
    void theTestSetIsMeasuredForTheRecordOnly() {
        ValidationPlan plan = ValidationPlan.of(new ValidationConfig(0, 0, 0), VALIDATOR, ValidationPlan.TEST, 1000);
        assertTrue(plan.measures());
        assertFalse(plan.keepBest(), "a model chosen by its test accuracy would be tuned to the test set");
        assertTrue(plan.when().fires(new TriggerState(1, true, 16, 12, false)));
    }

    @Test
    void noneMeasuresNothingAndCanNeitherKeepABestModelNorStopEarly() {
        assertFalse(ValidationPlan.NONE.measures());
        assertFalse(ValidationPlan.NONE.keepBest());
        assertEquals(EarlyStopping.OFF, ValidationPlan.NONE.stopping());
        assertFalse(ValidationPlan.NONE.when().fires(new TriggerState(3, true, 30, 20, false)));
        assertThrows(IllegalArgumentException.class, () -> new ValidationPlan(Optional.empty(),
                ValidationPlan.NOTHING, 0, Trigger.never(), 0, new EarlyStopping(2, 0), false));
        assertThrows(IllegalArgumentException.class, () -> new ValidationPlan(Optional.empty(),
                ValidationPlan.NOTHING, 0, Trigger.never(), 0, EarlyStopping.OFF, true));
    }
}
