package org.sparkcnn.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultSettingsTest {
    private static JobConfig load(String... overrides) {
        return JobConfigLoader.load(Optional.empty(), List.of(overrides));
    }

    /** A new key in reference.conf must be classified: does it change what a job writes, or not? */
    @Test
    void everyKeyOfReferenceConfIsClassifiedOnce() {
        Set<String> keys = new TreeSet<>();
        ConfigFactory.defaultReference().getConfig("sparkcnn").entrySet().forEach(e -> keys.add(e.getKey()));
        keys.add("spark.properties"); // an empty object: no leaf entry, but a key all the same
        Set<String> classified = new HashSet<>(ResultSettings.resultKeyNames());
        assertEquals(ResultSettings.resultKeyNames().size(), classified.size(), "no key listed twice");
        for (String key : ResultSettings.OPERATIONAL) {
            assertTrue(classified.add(key), key + " is both result-changing and operational");
        }
        assertEquals(keys, new TreeSet<>(classified), "reference.conf keys vs the classification");
        assertTrue(ResultSettings.resultKeyNames().containsAll(ResultSettings.SAFE_ON_RESUME));
    }

    @Test
    void differencesAreListedAsPeopleWriteThemAndOperationalOnesAreIgnored() {
        ResultSettings.Fingerprint before = ResultSettings.of("train", load("training.epochs=2"));
        ResultSettings.Fingerprint after = ResultSettings.of("train", load("training.epochs=3",
                "model.learning-rate=0.01", "training.log-every-rounds=1", "spark.master=local[2]",
                "evaluation.min-accuracy=0.9", "checkpoint.keep=5"));
        assertEquals("model.learning-rate 0.002 -> 0.01, training.epochs 2 -> 3",
                ResultSettings.describe(after.differencesFrom(before)));
        assertTrue(ResultSettings.of("train", load("training.log-every-rounds=1", "training.threads-per-task=2"))
                .differencesFrom(ResultSettings.of("train", load())).isEmpty(), "operational settings");
    }

    @Test
    void eachCommandRecordsWhatChangesItsResult() {
        JobConfig config = load("evaluation.model=/models/m1", "data.train-limit=100");
        ResultSettings.Fingerprint evaluate = ResultSettings.of("evaluate", config);
        assertTrue(evaluate.values().get("evaluation.model").endsWith("/models/m1"), evaluate.toString());
        assertFalse(evaluate.values().containsKey("data.train-limit"), "evaluate uses no training data");
        assertFalse(evaluate.values().containsKey("model.learning-rate"));
        assertEquals("[command train -> evaluate]",
                evaluate.differencesFrom(ResultSettings.of("train", config)).subList(0, 1).toString());
        assertEquals("100", ResultSettings.of("train", config).values().get("data.train-limit"));
        assertEquals("adam", ResultSettings.of("train", config).values().get("model.optimizer"));
        assertEquals("epoch", ResultSettings.of("train", config).values().get("training.validation.every"));
    }

    @Test
    void theRecordRoundTripsAndKeysItLacksAreNotCompared() throws IOException {
        ResultSettings.Fingerprint now = ResultSettings.of("train", load());
        assertEquals(now, ResultSettings.Fingerprint.fromJson(now.toJson()));
        // written by an older sparkcnn that did not know model.l2 (a new key's default keeps the old behaviour)
        java.util.Map<String, String> older = new java.util.LinkedHashMap<>(now.values());
        older.remove("model.l2");
        assertTrue(ResultSettings.of("train", load("model.l2=0.001"))
                .differencesFrom(new ResultSettings.Fingerprint("train", older)).isEmpty());
    }
}
