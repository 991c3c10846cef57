package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllReduceTrainerTest {
    @Test
    void settingsThatRuleOutTheEngineAreRefusedWithTheWayOut() {
        BadInputException dynamic = assertThrows(BadInputException.class, () -> AllReduceTrainer.requireCompatible(
                new SparkConf().set("spark.dynamicAllocation.enabled", "true")));
        assertTrue(dynamic.getMessage().contains("training.engine=parameter-averaging"), dynamic.getMessage());
        BadInputException crypto = assertThrows(BadInputException.class, () -> AllReduceTrainer.requireCompatible(
                new SparkConf().set("spark.network.crypto.enabled", "true")));
        assertTrue(crypto.getMessage().contains("spark.network.crypto.enabled"), crypto.getMessage());
        assertDoesNotThrow(() -> AllReduceTrainer.requireCompatible(new SparkConf().set("spark.authenticate", "true")));
    }
}
