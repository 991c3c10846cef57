package org.sparkcnn.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrainingConfigTest {
    private static final TrainingConfig DEFAULTS = JobConfigLoader.load(Optional.empty(), List.of()).training();

    @Test
    void aCopyChangesOnlyTheFieldsItNames() {
        TrainingConfig copy = DEFAULTS.withEngine(TrainingEngine.PARAMETER_AVERAGING, 20).withEpochs(1);
        assertEquals(TrainingEngine.PARAMETER_AVERAGING, copy.engine());
        assertEquals(20, copy.averagingFrequency());
        assertEquals(1, copy.epochs());
        assertEquals(DEFAULTS, copy.toBuilder().engine(DEFAULTS.engine())
                .averagingFrequency(DEFAULTS.averagingFrequency()).epochs(DEFAULTS.epochs()).build(),
                "every other field carried over");
    }

    @Test
    void aFieldLeftUnsetIsNamed() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> DEFAULTS.toBuilder()
                .parameterAveraging(null).build());
        assertEquals("TrainingConfig.parameterAveraging was not set", e.getMessage());
        assertEquals("TrainingConfig.engine was not set",
                assertThrows(NullPointerException.class, () -> TrainingConfig.builder().build()).getMessage());
    }
}
