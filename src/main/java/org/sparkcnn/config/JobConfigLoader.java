package org.sparkcnn.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import org.sparkcnn.common.BadInputException;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The one place where settings are read: a HOCON job file (optional) plus {@code key=value} overrides,
 * layered over {@code reference.conf}, checked for unknown keys and invalid values, and turned into an
 * immutable {@link JobConfig}. Every problem becomes a one-line {@link BadInputException}.
 */
public final class JobConfigLoader {
    private static final String ROOT = "sparkcnn";
    /** Free-form subtree: passed to Spark as-is, so its keys cannot be checked against the reference. */
    private static final String SPARK_PROPERTIES = ROOT + ".spark.properties";
    private static final Pattern VALIDATION_EVERY = Pattern.compile("(\\d+)\\s*rounds?");
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|token|credential|key).*");
    /** The settings of {@link AllReduceSettings} and {@link ParameterAveragingSettings}: one engine reads each. */
    private static final List<EngineSetting> ENGINE_SETTINGS = List.of(
            new EngineSetting("training.cpu-kernels", TrainingEngine.ALLREDUCE,
                    b -> !b.allreduceAveragingFrequencies().isEmpty() || !b.singleJvmThreads().isEmpty()
                            || !b.perCoreBatchSizes().isEmpty(), "allreduce, single-JVM or per-core",
                    "list some in bench.allreduce-averaging-frequencies, bench.single-jvm-threads or "
                            + "bench.per-core-batch-sizes"),
            new EngineSetting("training.peer-timeout-seconds", TrainingEngine.ALLREDUCE,
                    b -> !b.allreduceAveragingFrequencies().isEmpty(), "allreduce",
                    "list averaging frequencies in bench.allreduce-averaging-frequencies"),
            // auto may run it: whether the jar has the engine is known only at run time
            new EngineSetting("training.prefetch-batches", TrainingEngine.PARAMETER_AVERAGING,
                    b -> b.runsParameterAveraging(true), "parameter-averaging", "set bench.parameter-averaging=true"));

    /**
     * What the settings of a job are checked against: the engine training.engine chooses (train, and the
     * commands that share its job file), or the cases a bench runs, whatever training.engine says.
     */
    private enum EngineScope { CHOSEN_ENGINE, BENCH_CASES }

    /**
     * A setting only {@code engine} reads.
     *
     * @param benchReadsIt whether a bench with these settings runs a case that reads it; for one that does not:
     * @param benchCases   their names
     * @param addBenchCase how to add one
     */
    private record EngineSetting(String key, TrainingEngine engine, Predicate<BenchConfig> benchReadsIt,
                                 String benchCases, String addBenchCase) {
    }

    private JobConfigLoader() {
    }

    /**
     * @param jobFile   a HOCON file, or empty for defaults only
     * @param overrides {@code key=value} settings; keys may omit the {@code sparkcnn.} prefix
     */
    public static JobConfig load(Optional<Path> jobFile, List<String> overrides) {
        return load(jobFile, overrides, EngineScope.CHOSEN_ENGINE);
    }

    /**
     * As {@link #load(Optional, List)} for {@code sparkcnn bench}, which compares engines whatever
     * training.engine says: an engine's setting is refused only when no case of the bench reads it.
     */
    public static JobConfig loadForBench(Optional<Path> jobFile, List<String> overrides) {
        return load(jobFile, overrides, EngineScope.BENCH_CASES);
    }

    private static JobConfig load(Optional<Path> jobFile, List<String> overrides, EngineScope scope) {
        Config user = ConfigFactory.empty();
        String origin = "defaults";
        if (jobFile.isPresent()) {
            Path file = jobFile.get();
            origin = file.toString();
            if (!Files.isRegularFile(file)) {
                throw new BadInputException(file + ": config file not found");
            }
            try {
                user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new BadInputException(file + ": invalid HOCON: " + oneLine(e.getMessage()));
            }
        }
        return read(applyOverrides(user, overrides), origin, scope);
    }

    /**
     * Settings given by a program rather than a file (a Spark ML Estimator's params), checked and read as a
     * job file's are.
     *
     * @param origin   who set them, for messages
     * @param settings values by key (without the {@code sparkcnn.} prefix), over reference.conf's defaults
     */
    public static JobConfig fromSettings(String origin, Map<String, ?> settings) {
        Config user = ConfigFactory.empty();
        for (Map.Entry<String, ?> setting : settings.entrySet()) {
            user = user.withValue(ROOT + "." + setting.getKey(), ConfigValueFactory.fromAnyRef(setting.getValue(), origin));
        }
        return read(user, origin, EngineScope.CHOSEN_ENGINE);
    }

    /** The default of a setting (reference.conf's value, e.g. 4 for training.epochs), for a program's own defaults. */
    public static Object defaultValue(String key) {
        return ConfigFactory.defaultReference().getValue(ROOT + "." + key).unwrapped();
    }

    private static JobConfig read(Config user, String origin, EngineScope scope) {
        Config reference = ConfigFactory.defaultReference();
        rejectUnknownKeys(user, reference, origin);

        Config merged;
        try {
            merged = user.withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new BadInputException(origin + ": " + oneLine(e.getMessage()));
        }
        return new Reader(merged.getConfig(ROOT), user, origin, scope).read();
    }

    private static Config applyOverrides(Config config, List<String> overrides) {
        Config result = config;
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException("override '" + override + "': expected key=value, e.g. training.epochs=2");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            String path = key.startsWith(ROOT + ".") ? key : ROOT + "." + key;
            try {
                result = result.withValue(path, parseOverrideValue(value));
            } catch (ConfigException e) {
                throw new BadInputException("override '" + override + "': " + oneLine(e.getMessage()));
            }
        }
        return result;
    }

    /**
     * Values stay strings (typed getters convert "3" or "true" themselves) so that URIs such as
     * hdfs://nn:8020/x are not read as HOCON comments; only lists are parsed as HOCON.
     */
    private static ConfigValue parseOverrideValue(String value) {
        if (value.startsWith("[")) {
            return ConfigFactory.parseString("v = " + value).getValue("v");
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return ConfigValueFactory.fromAnyRef(value, "command-line override");
    }

    private static void rejectUnknownKeys(Config user, Config reference, String origin) {
        Set<String> known = new TreeSet<>();
        reference.entrySet().forEach(e -> known.add(e.getKey()));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            String key = entry.getKey();
            if (key.startsWith(SPARK_PROPERTIES + ".") || known.contains(key)) {
                continue;
            }
            String hint = closest(key, known).map(k -> " (did you mean '" + k + "'?)").orElse("");
            problems.add("unknown config key '" + key + "'" + hint);
        }
        if (!problems.isEmpty()) {
            throw new BadInputException(origin + ": " + String.join("; ", problems));
        }
    }

    private static Optional<String> closest(String key, Set<String> known) {
        return known.stream()
                .min(Comparator.comparingInt(k -> editDistance(key, k)))
                .filter(k -> editDistance(key, k) <= Math.max(3, key.length() / 4));
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Reads and validates the merged settings; collects every problem before failing. */
    private static final class Reader {
        private final Config c;
        /** What the user set (job file and overrides), to tell a chosen value from a default. */
        private final Config user;
        private final String origin;
        private final EngineScope scope;
        private final List<String> problems = new ArrayList<>();

        Reader(Config c, Config user, String origin, EngineScope scope) {
            this.c = c;
            this.user = user;
            this.origin = origin;
            this.scope = scope;
        }

        private DataConfig data() {
            URI dataDir = uri("data.dir");
            DataSource source = new DataSource(choice("data.format", DataFormat.class, DataFormat.IDX),
                    optionalLocation("data.train", false), optionalLocation("data.test", false),
                    nonEmptyString("data.image-col"), nonEmptyString("data.label-col"));
            DataConfig data = new DataConfig(
                    dataFile(dataDir, "data.train-images"), dataFile(dataDir, "data.train-labels"),
                    dataFile(dataDir, "data.test-images"), dataFile(dataDir, "data.test-labels"), dataDir,
                    source, geometry(source), intAtLeast("data.num-classes", 2), bool("data.download"), mirrors(),
                    Duration.ofSeconds(intAtLeast("data.download-timeout-seconds", 1)),
                    intAtLeast("data.train-limit", 0), intAtLeast("data.test-limit", 0),
                    intAtLeast("data.validation-size", 0));
            if (data.trainLimit() > 0 && data.validationSize() >= data.trainLimit()) {
                problems.add("data.validation-size: must be less than data.train-limit (" + data.trainLimit()
                        + "), got " + data.validationSize());
            }
            checkDataFormat(source);
            return data;
        }

        /** IDX files have the configured size; a table takes any size not set from its first image (0). */
        private ImageGeometry geometry(DataSource source) {
            int rows = intAtLeast("data.image-rows", 1);
            int cols = intAtLeast("data.image-cols", 1);
            int channels = intAtLeast("data.image-channels", 1);
            if (channels != 1 && channels != 3) {
                problems.add("data.image-channels: must be 1 (grey) or 3 (RGB), got " + channels);
            }
            if (!source.isTable()) {
                return new ImageGeometry(rows, cols, 1, false);
            }
            return new ImageGeometry(userSet("data.image-rows") ? rows : 0, userSet("data.image-cols") ? cols : 0,
                    userSet("data.image-channels") ? channels : 0, bool("data.resize"));
        }

        /**
         * No setting of another data.format is given: one set by mistake (data.image-col with IDX files)
         * would otherwise be silently ignored. data.train and data.test are required by the commands that
         * read them (evaluate needs no training set).
         */
        private void checkDataFormat(DataSource source) {
            String format = source.format().name().toLowerCase(Locale.ROOT);
            List<String> notApplicable = switch (source.format()) {
                case IDX -> List.of("data.train", "data.test", "data.image-col", "data.label-col",
                        "data.image-channels", "data.resize");
                case PARQUET -> List.of("data.train-images", "data.train-labels", "data.test-images",
                        "data.test-labels", "data.num-classes", "data.download", "data.download-mirrors");
                case IMAGES -> List.of("data.train-images", "data.train-labels", "data.test-images",
                        "data.test-labels", "data.num-classes", "data.download", "data.download-mirrors",
                        "data.image-col", "data.label-col");
            };
            for (String key : notApplicable) {
                if (userSet(key)) {
                    problems.add(key + ": does not apply to data.format=" + format + (source.isTable()
                            ? " (the classes come from the labels, the data from data.train and data.test)"
                            : " (set data.format=parquet or images to train on a table of images)"));
                }
            }
        }

        /**
         * No setting of an engine that will not run is given: one set by mistake (training.prefetch-batches
         * with the allreduce engine) would otherwise be silently ignored. A bench runs its own cases whatever
         * training.engine says, so there a setting is refused only when none of its cases reads it.
         */
        private void checkEngineSettings(TrainingConfig training, BenchConfig bench) {
            for (EngineSetting setting : ENGINE_SETTINGS) {
                if (!userSet(setting.key())) {
                    continue;
                }
                String engine = setting.engine().configValue();
                if (scope == EngineScope.BENCH_CASES) {
                    if (!setting.benchReadsIt().test(bench)) {
                        problems.add(setting.key() + ": does not apply to this bench, which runs no "
                                + setting.benchCases() + " case (remove it, or " + setting.addBenchCase() + ")");
                    }
                } else if (training.engine() != setting.engine()) {
                    problems.add(setting.key() + ": does not apply to training.engine="
                            + training.engine().configValue() + " (only " + engine + " reads it: remove it, or set "
                            + "training.engine=" + engine + ")");
                }
            }
        }

        private boolean userSet(String key) {
            return user.hasPath(ROOT + "." + key);
        }

        JobConfig read() {
            DataConfig data = data();
            ModelConfig model = new ModelConfig(
                    longValue("model.seed"), choice("model.optimizer", Optimizer.class, Optimizer.ADAM), positiveDouble("model.learning-rate"),
                    doubleIn("model.momentum", 0, 1, false), doubleIn("model.l2", 0, 1, true),
                    doubleIn("model.dropout-rate", 0, 1, false), decayFactor("model.learning-rate-decay"));
            TrainingConfig training = TrainingConfig.builder()
                    .engine(choice("training.engine", TrainingEngine.class, TrainingEngine.ALLREDUCE))
                    .epochs(intAtLeast("training.epochs", 1))
                    .batchSizePerWorker(intAtLeast("training.batch-size-per-worker", 1))
                    .averagingFrequency(intAtLeast("training.averaging-frequency", 1))
                    .workers(intAtLeast("training.workers", 0))
                    .averageUpdaterState(bool("training.average-updater-state"))
                    .threadsPerTask(intAtLeast("training.threads-per-task", 0))
                    .logEveryRounds(intAtLeast("training.log-every-rounds", 1))
                    .logProbabilitiesEveryRounds(intAtLeast("training.log-probabilities-every-rounds", 0))
                    .allReduce(new AllReduceSettings(intAtLeast("training.peer-timeout-seconds", 1),
                            choice("training.cpu-kernels", CpuKernels.class, CpuKernels.ONEDNN)))
                    .parameterAveraging(new ParameterAveragingSettings(intAtLeast("training.prefetch-batches", 0)))
                    .build();
            ValidationConfig validation = new ValidationConfig(validationEvery("training.validation.every"),
                    intAtLeast("training.early-stopping.patience", 0),
                    doubleIn("training.early-stopping.min-delta", 0, 1, false));
            if (validation.patience() > 0 && data.validationSize() == 0) {
                problems.add("training.early-stopping.patience: needs a validation set (data.validation-size > 0); "
                        + "stopping on the test set would tune the model to it");
            }
            CheckpointConfig checkpoint = new CheckpointConfig(intAtLeast("checkpoint.every-rounds", 0),
                    intAtLeast("checkpoint.keep", 1));
            EvaluationConfig evaluation = new EvaluationConfig(intAtLeast("evaluation.batch-size", 1),
                    optionalLocation("evaluation.model", false), doubleIn("evaluation.min-accuracy", 0, 1, true));
            PredictConfig predict = new PredictConfig(optionalLocation("predict.model", false),
                    choice("predict.format", PredictConfig.InputFormat.class, PredictConfig.InputFormat.IDX),
                    optionalLocation("predict.input", false), optionalLocation("predict.labels", false),
                    nonEmptyString("predict.features-col"), nonEmptyString("predict.id-col"),
                    intAtLeast("predict.batch-size", 1), bool("predict.resize"));
            if (predict.format() == PredictConfig.InputFormat.IDX && userSet("predict.resize")) {
                problems.add("predict.resize: does not apply to predict.format=idx (IDX files hold grey images of "
                        + "the size in their header, which must be the model's)");
            }
            String master = string("spark.master").trim();
            SparkSettings spark = new SparkSettings(master.isEmpty() ? Optional.empty() : Optional.of(master),
                    nonEmptyString("spark.app-name"), sparkProperties());
            OutputConfig output = new OutputConfig(uri("output.dir"), bool("output.overwrite"),
                    choice("output.on-incomplete", OutputConfig.OnIncomplete.class, OutputConfig.OnIncomplete.RESUME),
                    Duration.ofSeconds(intAtLeast("output.lock-stale-seconds", 10)));
            BenchConfig bench = new BenchConfig(intAtLeast("bench.epochs", 1), intList("bench.single-jvm-threads", 1),
                    intList("bench.allreduce-averaging-frequencies", 1), autoBool("bench.parameter-averaging"),
                    intList("bench.ring-peers", 1), perCoreBatchSizes(), intAtLeast("bench.simulated-step-millis", 0),
                    validationEvery("bench.validation.every"), accuracyTargets());
            requireOnlySimulatedCases(bench);
            checkBenchValidation(bench);
            checkEngineSettings(training, bench);

            if (!problems.isEmpty()) {
                throw new BadInputException(origin + ": " + String.join("; ", problems));
            }
            return new JobConfig(data, model, training, validation, checkpoint, evaluation, predict, spark, output,
                    bench, effectiveJson());
        }

        /**
         * bench.simulated-step-millis replaces the all-reduce workers' steps with waits: the cases that would
         * train for real next to them (single JVM, per-core cost, parameter averaging) must be off, so that no
         * table mixes measured and simulated compute.
         */
        private void requireOnlySimulatedCases(BenchConfig bench) {
            if (bench.simulatedStepMillis() > 0 && (!bench.singleJvmThreads().isEmpty()
                    || !bench.perCoreBatchSizes().isEmpty() || bench.parameterAveraging().orElse(false))) {
                problems.add("bench.simulated-step-millis: the compute-free mode times only the allreduce cases; set "
                        + "bench.single-jvm-threads = [], bench.per-core-batch-sizes = [] and "
                        + "bench.parameter-averaging = false (or leave it to auto, off in this mode) with it");
            }
        }

        /**
         * The bench measures its cases while they train only for accuracy targets, and not in the compute-free
         * mode (its models learn nothing): a validation setting that would not be read is refused, not ignored.
         */
        private void checkBenchValidation(BenchConfig bench) {
            if (bench.simulatedStepMillis() > 0 && userSet("bench.accuracy-targets") && !bench.accuracyTargets().isEmpty()) {
                problems.add("bench.accuracy-targets: the compute-free mode (bench.simulated-step-millis) trains "
                        + "nothing, so no accuracy is reached; remove it or set bench.accuracy-targets = []");
            } else if (!bench.validatesWhileTraining() && userSet("bench.validation.every")) {
                problems.add("bench.validation.every: does not apply when no case is validated while training "
                        + "(bench.accuracy-targets = [], or the compute-free mode); remove it or list accuracy targets");
            }
        }

        /** The settings as JSON with secret-looking Spark properties redacted: it goes into reports and logs. */
        private String effectiveJson() {
            Config shown = c;
            for (String key : sparkProperties().keySet()) {
                if (SECRET_KEY.matcher(key).matches()) {
                    shown = shown.withValue("spark.properties.\"" + key + "\"", ConfigValueFactory.fromAnyRef("*****"));
                }
            }
            return shown.root().render(ConfigRenderOptions.concise().setJson(true));
        }

        private Map<String, String> sparkProperties() {
            Map<String, String> properties = new LinkedHashMap<>();
            Config sub = c.getConfig("spark.properties");
            for (Map.Entry<String, ConfigValue> e : sub.entrySet()) {
                // keys like spark.ui.enabled arrive as quoted paths; Spark wants them bare
                String key = String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey()));
                if (e.getValue().valueType() == ConfigValueType.LIST || e.getValue().valueType() == ConfigValueType.OBJECT) {
                    problems.add("spark.properties." + key + ": expected a single value");
                } else {
                    properties.put(key, String.valueOf(e.getValue().unwrapped()));
                }
            }
            return properties;
        }

        /** {@code epoch} (0) or {@code <N> rounds} (N >= 1), like BigDL's everyEpoch / severalIteration. */
        private int validationEvery(String key) {
            String value = string(key).trim().toLowerCase(Locale.ROOT);
            if (value.equals("epoch")) {
                return 0;
            }
            java.util.regex.Matcher m = VALIDATION_EVERY.matcher(value);
            if (m.matches()) {
                try {
                    int rounds = Integer.parseInt(m.group(1));
                    if (rounds >= 1) {
                        return rounds;
                    }
                } catch (NumberFormatException e) {
                    // too large: reported below
                }
            }
            problems.add(key + ": expected 'epoch' or '<N> rounds' with N >= 1, got '" + value + "'");
            return 0;
        }

        /** A value of an enum, written in lower case in the config. */
        private <E extends Enum<E>> E choice(String key, Class<E> type, E fallback) {
            String value = string(key);
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                String names = String.join(", ", java.util.Arrays.stream(type.getEnumConstants())
                        .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
                problems.add(key + ": '" + value + "' is not one of " + names);
                return fallback;
            }
        }

        /** A list of whole numbers, each at least {@code min}; may be empty. */
        private List<Integer> intList(String key, int min) {
            try {
                List<Integer> values = c.getIntList(key);
                for (int v : values) {
                    if (v < min) {
                        problems.add(key + ": " + v + " is less than " + min);
                    }
                }
                return values;
            } catch (ConfigException e) {
                problems.add(key + ": expected a list of whole numbers, e.g. [1, 2]");
                return List.of();
            }
        }

        /** [] (skip) or at least two different sizes: a line needs two points. */
        private List<Integer> perCoreBatchSizes() {
            String key = "bench.per-core-batch-sizes";
            List<Integer> sizes = intList(key, 1);
            if (!sizes.isEmpty() && sizes.stream().distinct().count() < 2) {
                problems.add(key + ": expected [] or at least two different batch sizes, e.g. [32, 128, 512]");
            }
            return sizes;
        }

        /** Test accuracies in (0, 1], each listed once: a column of the bench's table each; may be empty. */
        private List<Double> accuracyTargets() {
            String key = "bench.accuracy-targets";
            try {
                List<Double> targets = c.getDoubleList(key);
                for (double t : targets) {
                    if (!(t > 0 && t <= 1)) {
                        problems.add(key + ": " + t + " is not an accuracy in (0, 1], e.g. 0.99 for 99%");
                    }
                }
                if (targets.stream().distinct().count() < targets.size()) {
                    problems.add(key + ": lists a target twice, got " + targets);
                }
                return targets;
            } catch (ConfigException e) {
                problems.add(key + ": expected a list of accuracies in (0, 1], e.g. [0.99, 0.993]");
                return List.of();
            }
        }

        private List<URI> mirrors() {
            List<URI> mirrors = new ArrayList<>();
            try {
                for (String m : c.getStringList("data.download-mirrors")) {
                    URI u = parseUri("data.download-mirrors", m);
                    if (u != null) {
                        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
                            problems.add("data.download-mirrors: '" + m + "' is not an http(s) URL");
                        }
                        mirrors.add(u.toString().endsWith("/") ? u : URI.create(u + "/"));
                    }
                }
            } catch (ConfigException e) {
                problems.add("data.download-mirrors: expected a list of URLs");
            }
            return mirrors;
        }

        private URI dataFile(URI dir, String key) {
            String value = nonEmptyString(key);
            URI uri = parseUri(key, value);
            if (uri == null || dir == null) {
                return uri;
            }
            return uri.isAbsolute() ? uri : dir.resolve(value);
        }

        /** A folder: a Hadoop URI (scheme://...) or a local path, absolute, with a trailing slash. */
        private URI uri(String key) {
            return optionalLocation(key, true).orElseGet(() -> {
                problems.add(key + ": must not be empty");
                return null;
            });
        }

        /**
         * A Hadoop URI (scheme://...) or a local path, made absolute so that executors and later runs see
         * the same file whatever their working directory.
         */
        private Optional<URI> optionalLocation(String key, boolean folder) {
            String value = string(key).trim();
            if (value.isEmpty()) {
                return Optional.empty();
            }
            URI uri = parseUri(key, value);
            if (uri == null) {
                return Optional.empty();
            }
            URI absolute = uri.getScheme() != null && uri.getScheme().length() > 1
                    ? uri : Path.of(value).toAbsolutePath().normalize().toUri();
            if (folder && (absolute.getPath() == null || !absolute.getPath().endsWith("/"))) {
                absolute = URI.create(absolute + "/");
            }
            return Optional.of(absolute);
        }

        private URI parseUri(String key, String value) {
            try {
                return new URI(value);
            } catch (java.net.URISyntaxException e) {
                problems.add(key + ": '" + value + "' is not a valid URI or path (" + e.getReason() + ")");
                return null;
            }
        }

        private String string(String key) {
            try {
                return c.getString(key);
            } catch (ConfigException e) {
                problems.add(key + ": expected a string");
                return "";
            }
        }

        private String nonEmptyString(String key) {
            String value = string(key);
            if (value.isBlank()) {
                problems.add(key + ": must not be empty");
            }
            return value.trim();
        }

        private boolean bool(String key) {
            try {
                return c.getBoolean(key);
            } catch (ConfigException e) {
                problems.add(key + ": expected true or false, got '" + raw(key) + "'");
                return false;
            }
        }

        /** {@code auto} (empty: decided by what the jar has) or a boolean. */
        private Optional<Boolean> autoBool(String key) {
            if (raw(key).trim().equalsIgnoreCase("auto")) {
                return Optional.empty();
            }
            try {
                return Optional.of(c.getBoolean(key));
            } catch (ConfigException e) {
                problems.add(key + ": expected auto, true or false, got '" + raw(key) + "'");
                return Optional.empty();
            }
        }

        private long longValue(String key) {
            try {
                return c.getLong(key);
            } catch (ConfigException e) {
                problems.add(key + ": expected a whole number, got '" + raw(key) + "'");
                return 0;
            }
        }

        private int intAtLeast(String key, int min) {
            try {
                int value = c.getInt(key);
                if (value < min) {
                    problems.add(key + ": must be >= " + min + ", got " + value);
                }
                return value;
            } catch (ConfigException e) {
                problems.add(key + ": expected a whole number >= " + min + ", got '" + raw(key) + "'");
                return min;
            }
        }

        private double positiveDouble(String key) {
            double value = doubleValue(key);
            if (Double.isNaN(value)) {
                return value;
            }
            if (!(value > 0) || Double.isInfinite(value)) {
                problems.add(key + ": must be a number > 0, got " + value);
            }
            return value;
        }

        /** A multiplier in (0, 1]. */
        private double decayFactor(String key) {
            double value = doubleValue(key);
            if (!Double.isNaN(value) && !(value > 0 && value <= 1)) {
                problems.add(key + ": must be in (0, 1], got " + value);
            }
            return value;
        }

        private double doubleIn(String key, double min, double max, boolean maxInclusive) {
            double value = doubleValue(key);
            if (Double.isNaN(value)) {
                return value;
            }
            if (!(value >= min) || (maxInclusive ? value > max : value >= max)) {
                problems.add(key + ": must be in [" + min + ", " + max + (maxInclusive ? "]" : ")") + ", got " + value);
            }
            return value;
        }

        private double doubleValue(String key) {
            try {
                return c.getDouble(key);
            } catch (ConfigException e) {
                problems.add(key + ": expected a number, got '" + raw(key) + "'");
                return Double.NaN;
            }
        }

        private String raw(String key) {
            try {
                return String.valueOf(c.getValue(key).unwrapped());
            } catch (ConfigException e) {
                return "?";
            }
        }
    }
}
