package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.TrainingEngine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllReduceTrainerTest {
    @Test
    void settingsThatRuleOutTheEngineAreRefusedWithTheWayOut() {
        BadInputException dynamic = assertThrows(BadInputException.class, () -> AllReduceTrainer.requireCompatible(
                new SparkConf().set("spark.dynamicAllocation.enabled", "true")));
        assertTrue(dynamic.getMessage().contains("disable dynamic allocation"), dynamic.getMessage());
        // the other engine is offered as the way out only where this jar has it (the Spark 3.5 build)
        assertEquals(TrainingEngines.has(TrainingEngine.PARAMETER_AVERAGING),
                dynamic.getMessage().contains("training.engine=parameter-averaging"), dynamic.getMessage());
        assertDoesNotThrow(() -> AllReduceTrainer.requireCompatible(new SparkConf().set("spark.authenticate", "true")));
    }

    @Test
    void sparksEncryptionIsAcceptedAndEncryptsTheRing() {
        SparkConf encrypted = new SparkConf().set("spark.authenticate", "true").set("spark.network.crypto.enabled", "true");
        assertDoesNotThrow(() -> AllReduceTrainer.requireCompatible(encrypted));
        assertTrue(AllReduceTrainer.encryptsRing(encrypted));
        assertFalse(AllReduceTrainer.encryptsRing(new SparkConf()));
    }
}
