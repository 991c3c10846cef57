package org.sparkcnn.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which settings change what a job writes to output.dir: the one classification of the keys of
 * reference.conf. A rerun on a finished output.dir is a no-op only when these are the same as the
 * recorded ones ({@code _settings.json}); a resume continues a checkpoint only when they are the same,
 * except the ones {@link #SAFE_ON_RESUME}. Every other key is {@link #OPERATIONAL}: it changes how a
 * run goes (logging, timeouts, threads, where things are), not its result. ResultSettingsTest checks
 * that every key of reference.conf is in exactly one of the two lists, so a new key must be classified.
 */
public final class ResultSettings {
    private static final String TRAIN = "train";
    private static final String EVALUATE = "evaluate";
    private static final String PREDICT = "predict";
    private static final String BENCH = "bench";
    private static final Set<String> TRAINING = Set.of(TRAIN, BENCH);
    private static final Set<String> TESTING = Set.of(TRAIN, BENCH, EVALUATE);
    private static final Set<String> SCORING = Set.of(TRAIN, BENCH, EVALUATE, PREDICT);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Settings a resumed run may change: raising training.epochs extends a run (the data order of each
     * epoch derives from the seed and the epoch number alone, and the learning-rate decay steps per
     * epoch, so epochs 1..n come out the same whatever the total). Lowering it below the epochs a
     * checkpoint already completed is refused when the checkpoint is read.
     */
    public static final Set<String> SAFE_ON_RESUME = Set.of("training.epochs");

    private record Key(String name, Set<String> commands, Function<JobConfig, Object> value) {
    }

    /** The settings that change the result, and for which commands. */
    private static final List<Key> RESULT_KEYS = List.of(
            // the data: resolved file URIs (data.dir is folded into them), how much of it, what it must look like
            new Key("data.train-images", TRAINING, c -> c.data().trainImages()),
            new Key("data.train-labels", TRAINING, c -> c.data().trainLabels()),
            new Key("data.test-images", TESTING, c -> c.data().testImages()),
            new Key("data.test-labels", TESTING, c -> c.data().testLabels()),
            new Key("data.format", TESTING, c -> c.data().source().format()),
            new Key("data.train", TRAINING, c -> c.data().source().train()),
            new Key("data.test", TESTING, c -> c.data().source().test()),
            new Key("data.image-col", TESTING, c -> c.data().source().imageCol()),
            new Key("data.label-col", TESTING, c -> c.data().source().labelCol()),
            new Key("data.image-rows", SCORING, c -> c.data().imageRows()),
            new Key("data.image-cols", SCORING, c -> c.data().imageCols()),
            new Key("data.image-channels", SCORING, c -> c.data().geometry().channels()),
            new Key("data.resize", TESTING, c -> c.data().geometry().resize()),
            new Key("data.num-classes", SCORING, c -> c.data().numClasses()),
            new Key("data.train-limit", TRAINING, c -> c.data().trainLimit()),
            new Key("data.test-limit", TESTING, c -> c.data().testLimit()),
            new Key("data.validation-size", TRAINING, c -> c.data().validationSize()),
            new Key("model.seed", TRAINING, c -> c.model().seed()),
            new Key("model.optimizer", TRAINING, c -> c.model().optimizer()),
            new Key("model.learning-rate", TRAINING, c -> c.model().learningRate()),
            new Key("model.learning-rate-decay", TRAINING, c -> c.model().learningRateDecay()),
            new Key("model.momentum", TRAINING, c -> c.model().momentum()),
            new Key("model.l2", TRAINING, c -> c.model().l2()),
            new Key("model.dropout-rate", TRAINING, c -> c.model().dropoutRate()),
            new Key("training.engine", TRAINING, c -> c.training().engine()),
            new Key("training.epochs", TRAINING, c -> c.training().epochs()),
            new Key("training.batch-size-per-worker", TRAINING, c -> c.training().batchSizePerWorker()),
            new Key("training.averaging-frequency", TRAINING, c -> c.training().averagingFrequency()),
            // 0 = the cores Spark has: pin it for a result that must not depend on the cluster
            new Key("training.workers", TRAINING, c -> c.training().workers()),
            new Key("training.average-updater-state", TRAINING, c -> c.training().averageUpdaterState()),
            new Key("training.validation.every", TRAINING, c -> c.validation().describeEvery()),
            new Key("training.early-stopping.patience", TRAINING, c -> c.validation().patience()),
            new Key("training.early-stopping.min-delta", TRAINING, c -> c.validation().minDelta()),
            // epochs are cut into checkpoint segments, and each segment's shuffle derives from its number
            new Key("checkpoint.every-rounds", TRAINING, c -> c.checkpoint().everyRounds()),
            new Key("evaluation.model", Set.of(EVALUATE), c -> c.evaluation().model()),
            new Key("predict.model", Set.of(PREDICT), c -> c.predict().model()),
            new Key("predict.format", Set.of(PREDICT), c -> c.predict().format()),
            new Key("predict.input", Set.of(PREDICT), c -> c.predict().input()),
            new Key("predict.labels", Set.of(PREDICT), c -> c.predict().labels()),
            new Key("predict.features-col", Set.of(PREDICT), c -> c.predict().featuresCol()),
            new Key("predict.id-col", Set.of(PREDICT), c -> c.predict().idCol()),
            new Key("predict.resize", Set.of(PREDICT), c -> c.predict().resize()),
            new Key("bench.epochs", Set.of(BENCH), c -> c.bench().epochs()),
            new Key("bench.single-jvm-threads", Set.of(BENCH), c -> c.bench().singleJvmThreads()),
            new Key("bench.allreduce-averaging-frequencies", Set.of(BENCH),
                    c -> c.bench().allreduceAveragingFrequencies()),
            new Key("bench.parameter-averaging", Set.of(BENCH), c -> c.bench().parameterAveraging()),
            new Key("bench.ring-peers", Set.of(BENCH), c -> c.bench().ringPeers()),
            new Key("bench.per-core-batch-sizes", Set.of(BENCH), c -> c.bench().perCoreBatchSizes()),
            new Key("bench.simulated-step-millis", Set.of(BENCH), c -> c.bench().simulatedStepMillis()),
            new Key("bench.validation.every", Set.of(BENCH), c -> c.bench().describeValidationEvery()),
            new Key("bench.accuracy-targets", Set.of(BENCH), c -> c.bench().accuracyTargets()));

    /**
     * Keys that never change what a job writes. evaluation.min-accuracy is the quality gate: it judges
     * the result (again on every rerun) instead of changing it. training.cpu-kernels picks the code of
     * the same arithmetic (oneDNN or DL4J's layers: the same model up to float rounding).
     */
    static final Set<String> OPERATIONAL = Set.of(
            "data.dir", "data.download", "data.download-mirrors", "data.download-timeout-seconds",
            "training.prefetch-batches", "training.threads-per-task", "training.log-every-rounds",
            "training.log-probabilities-every-rounds", "training.peer-timeout-seconds", "training.cpu-kernels",
            "checkpoint.keep", "evaluation.batch-size", "evaluation.min-accuracy", "predict.batch-size",
            "spark.master", "spark.app-name", "spark.properties",
            "output.dir", "output.overwrite", "output.on-incomplete", "output.lock-stale-seconds");

    private ResultSettings() {
    }

    /** The names of the classified keys (for the classification test). */
    static List<String> resultKeyNames() {
        return RESULT_KEYS.stream().map(Key::name).toList();
    }

    /** What {@code command} run with {@code config} records about its settings. */
    public static Fingerprint of(String command, JobConfig config) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Key key : RESULT_KEYS) {
            if (key.commands().contains(command)) {
                values.put(key.name(), render(key.value().apply(config)));
            }
        }
        return new Fingerprint(command, values);
    }

    private static String render(Object value) {
        if (value instanceof Optional<?> optional) {
            return optional.map(ResultSettings::render).orElse("");
        }
        if (value instanceof Double d) {
            // 0.002, not 0.0020 or 2.0E-3: as people write it
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof URI || value instanceof List<?>) {
            return value.toString();
        }
        return String.valueOf(value);
    }

    /** One setting that differs: {@code key recorded -> now}. */
    public record Difference(String key, String recorded, String now) {
        @Override
        public String toString() {
            return key + " " + shown(recorded) + " -> " + shown(now);
        }

        private static String shown(String value) {
            return value.isEmpty() ? "(none)" : value;
        }
    }

    /**
     * The settings of one run that change its result, in classification order.
     *
     * @param command the job (train, evaluate, predict, bench): a folder made by one is not another's
     */
    public record Fingerprint(String command, Map<String, String> values) {
        public Fingerprint {
            values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        /**
         * What differs from {@code recorded}. A key the recorded run did not know (written by an older
         * sparkcnn) is not compared: a new key's default keeps the old behaviour.
         */
        public List<Difference> differencesFrom(Fingerprint recorded) {
            List<Difference> differences = new ArrayList<>();
            if (!command.equals(recorded.command())) {
                differences.add(new Difference("command", recorded.command(), command));
            }
            values.forEach((key, value) -> {
                String old = recorded.values().get(key);
                if (old != null && !old.equals(value)) {
                    differences.add(new Difference(key, old, value));
                }
            });
            return differences;
        }

        public byte[] toJson() throws IOException {
            ObjectNode root = JSON.createObjectNode();
            root.put("command", command);
            ObjectNode settings = root.putObject("settings");
            values.forEach(settings::put);
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        }

        public static Fingerprint fromJson(byte[] json) throws IOException {
            JsonNode root = JSON.readTree(json);
            if (root == null || !root.path("settings").isObject() || !root.path("command").isTextual()) {
                throw new IOException("not a settings record: expected {\"command\": ..., \"settings\": {...}}");
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.get("settings").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                values.put(e.getKey(), e.getValue().asText());
            }
            return new Fingerprint(root.get("command").asText(), values);
        }
    }

    /** "a 1 -> 2, b x -> y": the differences on one line. */
    public static String describe(List<Difference> differences) {
        return differences.stream().map(Difference::toString).collect(Collectors.joining(", "));
    }
}
