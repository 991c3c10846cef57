package org.sparkcnn.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobConfigLoaderTest {
    private static final Path PRESETS = Path.of("conf");

    private static JobConfig load(String... overrides) {
        return JobConfigLoader.load(Optional.empty(), List.of(overrides));
    }

    private static String error(Optional<Path> file, String... overrides) {
        BadInputException e = assertThrows(BadInputException.class,
                () -> JobConfigLoader.load(file, List.of(overrides)));
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void defaultsDescribeTheTutorialCnnWithAdam() {
        JobConfig c = load("data.dir=/data/mnist");
        assertEquals(Optimizer.ADAM, c.model().optimizer());
        assertEquals(0.002, c.model().learningRate());
        assertEquals(0.5, c.model().learningRateDecay());
        assertEquals(128, c.training().batchSizePerWorker());
        assertEquals(0.4, c.model().dropoutRate());
        assertEquals(URI.create("file:/data/mnist/train-images-idx3-ubyte.gz"), c.data().trainImages());
        assertEquals(URI.create("file:/data/mnist/t10k-labels-idx1-ubyte.gz"), c.data().testLabels());
        assertEquals(Optional.empty(), c.spark().master());
        assertEquals(28, c.data().imageRows());
        assertTrue(c.effective().startsWith("{"), c.effective());
    }

    /** A program's settings (an Estimator's params) are typed values, checked as a file's are. */
    @Test
    void settingsFromAProgramAreCheckedAsAFilesAre() {
        JobConfig c = JobConfigLoader.fromSettings("the caller", java.util.Map.of("training.epochs", 2,
                "model.learning-rate", 0.01, "model.seed", 7L, "data.format", "parquet"));
        assertEquals(2, c.training().epochs());
        assertEquals(0.01, c.model().learningRate());
        assertEquals(7L, c.model().seed());
        assertEquals(0, c.data().imageRows(), "a table's size comes from its first image");
        assertEquals(4, JobConfigLoader.defaultValue("training.epochs"));
        BadInputException bad = assertThrows(BadInputException.class, () -> JobConfigLoader.fromSettings("the caller",
                java.util.Map.of("training.epochs", 0, "training.epoch", 1)));
        assertEquals("the caller: unknown config key 'sparkcnn.training.epoch' (did you mean 'sparkcnn.training.epochs'?)",
                bad.getMessage());
        assertEquals("the caller: training.epochs: must be >= 1, got 0", assertThrows(BadInputException.class,
                () -> JobConfigLoader.fromSettings("the caller", java.util.Map.of("training.epochs", 0))).getMessage());
    }

    @Test
    void shippedPresetsLoad() {
        JobConfig standard = JobConfigLoader.load(Optional.of(PRESETS.resolve("sparkcnn.conf")), List.of());
        assertEquals(Optimizer.ADAM, standard.model().optimizer());
        JobConfig tutorial = JobConfigLoader.load(Optional.of(PRESETS.resolve("tf-tutorial.conf")), List.of());
        assertEquals(Optimizer.SGD, tutorial.model().optimizer());
        assertEquals(0.001, tutorial.model().learningRate());
        // 2 workers x 50 images per averaged step = the tutorial's batch of 100; 33 epochs = 20,000 steps
        assertEquals(50, tutorial.training().batchSizePerWorker());
        assertEquals(33, tutorial.training().epochs());
    }

    @Test
    void overridesAcceptKeysWithOrWithoutRootAndKeepUrisIntact() {
        JobConfig c = load("training.epochs=7", "sparkcnn.model.optimizer=nesterov",
                "output.dir=hdfs://127.0.0.1:8020/runs/r1", "data.dir=s3a://bucket/mnist",
                "data.test-images=hdfs://nn:8020/other/images.idx", "spark.properties.\"spark.ui.enabled\"=false");
        assertEquals(7, c.training().epochs());
        assertEquals(Optimizer.NESTEROV, c.model().optimizer());
        assertEquals(URI.create("hdfs://127.0.0.1:8020/runs/r1/"), c.output().dir());
        assertEquals(URI.create("s3a://bucket/mnist/train-images-idx3-ubyte.gz"), c.data().trainImages());
        assertEquals(URI.create("hdfs://nn:8020/other/images.idx"), c.data().testImages());
        assertEquals("false", c.spark().properties().get("spark.ui.enabled"));
    }

    @Test
    void cpuKernelsDefaultToOneDnnAndAreValidated() {
        assertEquals(CpuKernels.ONEDNN, load().training().allReduce().cpuKernels());
        assertEquals(CpuKernels.DL4J, load("training.cpu-kernels=dl4j").training().allReduce().cpuKernels());
        String message = error(Optional.empty(), "training.cpu-kernels=mkl");
        assertTrue(message.contains("training.cpu-kernels: 'mkl' is not one of onednn, dl4j"), message);
    }

    @Test
    void engineAndBenchSettingsParseAndAreValidated() {
        assertEquals(TrainingEngine.ALLREDUCE, load().training().engine());
        JobConfig c = load("training.engine=parameter-averaging", "bench.allreduce-averaging-frequencies=[2, 8]",
                "bench.ring-peers=[]");
        assertEquals(TrainingEngine.PARAMETER_AVERAGING, c.training().engine());
        assertEquals(List.of(2, 8), c.bench().allreduceAveragingFrequencies());
        assertEquals(List.of(), c.bench().ringPeers());
        String message = error(Optional.empty(), "training.engine=horovod", "bench.single-jvm-threads=[0]",
                "bench.ring-peers=two");
        assertTrue(message.contains("training.engine: 'horovod' is not one of allreduce, parameter-averaging"), message);
        assertTrue(message.contains("bench.single-jvm-threads: 0 is less than 1"), message);
        assertTrue(message.contains("bench.ring-peers: expected a list of whole numbers"), message);

        assertEquals(List.of(32, 128, 512), load().bench().perCoreBatchSizes());
        assertEquals(List.of(), load("bench.per-core-batch-sizes=[]").bench().perCoreBatchSizes());
        for (String notALine : new String[] {"[64]", "[64, 64]"}) {
            assertTrue(error(Optional.empty(), "bench.per-core-batch-sizes=" + notALine).contains(
                    "bench.per-core-batch-sizes: expected [] or at least two different batch sizes"), notALine);
        }
    }

    @Test
    void theComputeFreeBenchModeIsOffByDefaultAndOnlyRunsAlone() {
        assertEquals(0, load().bench().simulatedStepMillis());
        assertEquals(60, load("bench.simulated-step-millis=60", "bench.single-jvm-threads=[]",
                "bench.per-core-batch-sizes=[]", "bench.parameter-averaging=false").bench().simulatedStepMillis());
        String message = error(Optional.empty(), "bench.simulated-step-millis=60");
        assertTrue(message.contains("bench.simulated-step-millis: the compute-free mode times only the allreduce cases"),
                message);
        assertTrue(error(Optional.empty(), "bench.simulated-step-millis=-1")
                .contains("bench.simulated-step-millis"), "a negative wait is refused");
    }

    @Test
    void theBenchValidatesForItsAccuracyTargetsEveryTenRoundsByDefault() {
        BenchConfig bench = load().bench();
        assertEquals(List.of(0.99, 0.993), bench.accuracyTargets());
        assertEquals(10, bench.validationEveryRounds());
        assertTrue(bench.validatesWhileTraining());
        BenchConfig set = load("bench.accuracy-targets=[0.9, 1]", "bench.validation.every=epoch").bench();
        assertEquals(List.of(0.9, 1.0), set.accuracyTargets());
        assertEquals(0, set.validationEveryRounds());
        assertEquals(25, load("bench.validation.every=25 rounds").bench().validationEveryRounds());
        BenchConfig none = load("bench.accuracy-targets=[]").bench();
        assertFalse(none.validatesWhileTraining(), "no targets: nothing measured while training");
        assertFalse(load("bench.simulated-step-millis=60", "bench.single-jvm-threads=[]", "bench.per-core-batch-sizes=[]",
                "bench.parameter-averaging=false").bench().validatesWhileTraining(), "the compute-free mode learns nothing");
    }

    @Test
    void badBenchValidationSettingsAreRefusedNamingTheKey() {
        assertTrue(error(Optional.empty(), "bench.accuracy-targets=[0.99, 99.3]").contains(
                "bench.accuracy-targets: 99.3 is not an accuracy in (0, 1], e.g. 0.99 for 99%"));
        assertTrue(error(Optional.empty(), "bench.accuracy-targets=[0]").contains(
                "bench.accuracy-targets: 0.0 is not an accuracy in (0, 1]"));
        assertTrue(error(Optional.empty(), "bench.accuracy-targets=[0.99, 0.99]").contains(
                "bench.accuracy-targets: lists a target twice, got [0.99, 0.99]"));
        for (String notAList : new String[] {"0.99", "[high]"}) {
            assertTrue(error(Optional.empty(), "bench.accuracy-targets=" + notAList).contains(
                    "bench.accuracy-targets: expected a list of accuracies in (0, 1], e.g. [0.99, 0.993]"), notAList);
        }
        for (String notEvery : new String[] {"weekly", "0 rounds", "-3 rounds"}) {
            assertTrue(error(Optional.empty(), "bench.validation.every=" + notEvery).contains(
                    "bench.validation.every: expected 'epoch' or '<N> rounds' with N >= 1"), notEvery);
        }
        assertTrue(error(Optional.empty(), "bench.accuracy-targets=[]", "bench.validation.every=5 rounds").contains(
                "bench.validation.every: does not apply when no case is validated while training"));
        String simulated = error(Optional.empty(), "bench.simulated-step-millis=60", "bench.single-jvm-threads=[]",
                "bench.per-core-batch-sizes=[]", "bench.parameter-averaging=false", "bench.accuracy-targets=[0.5]");
        assertTrue(simulated.startsWith("defaults: bench.accuracy-targets: the compute-free mode"), simulated);
    }

    @Test
    void relativePathsBecomeAbsoluteSoExecutorsSeeTheSameFiles() {
        JobConfig c = load("output.dir=out/run", "data.dir=data");
        assertEquals(Path.of("out/run").toAbsolutePath(), Path.of(c.output().dir()));
        assertEquals(Path.of("data/train-images-idx3-ubyte.gz").toAbsolutePath(), Path.of(c.data().trainImages()));
    }

    @Test
    void unknownKeysAreRejectedWithASuggestion(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("job.conf");
        Files.writeString(file, "sparkcnn { trainig { epochs = 2 } }");
        String message = error(Optional.of(file));
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("unknown config key 'sparkcnn.trainig.epochs'"), message);
        assertTrue(message.contains("did you mean 'sparkcnn.training.epochs'"), message);

        assertTrue(error(Optional.empty(), "training.epoch=3").contains("unknown config key 'sparkcnn.training.epoch'"));
        assertTrue(error(Optional.empty(), "foo=3").contains("unknown config key 'sparkcnn.foo'"));
    }

    @Test
    void validationSplitScheduleAndEarlyStoppingAreReadAndChecked() {
        JobConfig defaults = load();
        assertEquals(0, defaults.data().validationSize());
        assertEquals(new ValidationConfig(0, 0, 0.0), defaults.validation());
        assertEquals("epoch", defaults.validation().describeEvery());

        JobConfig c = load("data.validation-size=5000", "training.validation.every=20 rounds",
                "training.early-stopping.patience=3", "training.early-stopping.min-delta=0.001");
        assertEquals(5000, c.data().validationSize());
        assertEquals(new ValidationConfig(20, 3, 0.001), c.validation());
        assertEquals(1, load("training.validation.every=1 round").validation().everyRounds());
        assertEquals(0, load("training.validation.every=EPOCH").validation().everyRounds());

        assertTrue(error(Optional.empty(), "training.validation.every=weekly")
                .contains("training.validation.every: expected 'epoch' or '<N> rounds' with N >= 1, got 'weekly'"));
        assertTrue(error(Optional.empty(), "training.validation.every=0 rounds").contains("training.validation.every"));
        assertTrue(error(Optional.empty(), "data.validation-size=-1").contains("data.validation-size: must be >= 0"));
        assertTrue(error(Optional.empty(), "data.train-limit=1000", "data.validation-size=1000")
                .contains("data.validation-size: must be less than data.train-limit (1000), got 1000"));
        assertTrue(error(Optional.empty(), "training.early-stopping.patience=2")
                .contains("training.early-stopping.patience: needs a validation set (data.validation-size > 0)"));
        assertTrue(error(Optional.empty(), "data.validation-size=10", "training.early-stopping.min-delta=-0.1")
                .contains("training.early-stopping.min-delta: must be in [0.0, 1.0)"));
        assertTrue(error(Optional.empty(), "training.early-stoping.patience=2").contains("did you mean"));
    }

    @Test
    void invalidValuesNameTheSettingAndWhatWasExpected() {
        assertTrue(error(Optional.empty(), "training.epochs=0").contains("training.epochs: must be >= 1, got 0"));
        assertTrue(error(Optional.empty(), "training.epochs=many").contains("training.epochs: expected a whole number"));
        assertTrue(error(Optional.empty(), "model.optimizer=rmsprop").contains("model.optimizer: 'rmsprop' is not one of adam, sgd, nesterov"));
        assertTrue(error(Optional.empty(), "model.learning-rate=-1").contains("model.learning-rate: must be a number > 0"));
        assertTrue(error(Optional.empty(), "model.dropout-rate=1").contains("model.dropout-rate: must be in [0.0, 1.0)"));
        assertTrue(error(Optional.empty(), "data.download=maybe").contains("data.download: expected true or false"));
        assertTrue(error(Optional.empty(), "model.learning-rate-decay=0").contains("model.learning-rate-decay: must be in (0, 1]"));
        assertTrue(error(Optional.empty(), "output.dir=").contains("output.dir: must not be empty"));
        assertTrue(error(Optional.empty(), "data.download-mirrors=[\"ftp://x/\"]").contains("is not an http(s) URL"));
        assertTrue(error(Optional.empty(), "training.epochs").contains("expected key=value"));
        // every problem at once, in one line
        String both = error(Optional.empty(), "training.epochs=0", "evaluation.batch-size=0");
        assertTrue(both.contains("training.epochs") && both.contains("evaluation.batch-size"), both);
    }

    @Test
    void missingOrMalformedFilesAreBadInput(@TempDir Path dir) throws IOException {
        assertTrue(error(Optional.of(dir.resolve("nope.conf"))).endsWith("nope.conf: config file not found"));
        Path broken = dir.resolve("broken.conf");
        Files.writeString(broken, "sparkcnn { training { epochs = ");
        assertTrue(error(Optional.of(broken)).contains("broken.conf: invalid HOCON"));
    }

    @Test
    void secretsInSparkPropertiesAreRedactedFromTheEffectiveConfig() {
        JobConfig c = load("spark.properties.\"spark.authenticate.secret\"=hunter2");
        assertEquals("hunter2", c.spark().properties().get("spark.authenticate.secret"));
        assertFalse(c.effective().contains("hunter2"), c.effective());
        assertTrue(c.effective().contains("*****"));
    }

    @Test
    void tableFormatsTakeTheirLocationsAndLeaveUnsetGeometryToTheFirstImage() {
        JobConfig c = load("data.format=parquet", "data.train=hdfs://nn:8020/images/train",
                "data.test=/data/test", "data.image-col=png", "data.image-channels=3");
        DataSource source = c.data().source();
        assertEquals(DataFormat.PARQUET, source.format());
        assertEquals("hdfs://nn:8020/images/train", source.train().orElseThrow().toString());
        assertEquals("file:///data/test", source.test().orElseThrow().toString());
        assertEquals("png", source.imageCol());
        assertEquals("label", source.labelCol());
        assertEquals(new ImageGeometry(0, 0, 3, false), c.data().geometry());
        // idx keeps today's geometry
        assertEquals(new ImageGeometry(28, 28, 1, false), load().data().geometry());
        assertEquals(DataFormat.IDX, load().data().source().format());
    }

    @Test
    void aSettingOfAnotherFormatIsRefused() {
        assertTrue(error(Optional.empty(), "data.image-col=png").contains(
                "data.image-col: does not apply to data.format=idx"));
        assertTrue(error(Optional.empty(), "data.format=images", "data.train=/a", "data.test=/b",
                "data.label-col=y").contains("data.label-col: does not apply to data.format=images"));
        assertTrue(error(Optional.empty(), "data.format=parquet", "data.train=/a", "data.test=/b",
                "data.num-classes=5").contains("data.num-classes: does not apply to data.format=parquet"));
        assertTrue(error(Optional.empty(), "data.format=images", "data.train=/a", "data.test=/b",
                "data.image-channels=2").contains("data.image-channels: must be 1 (grey) or 3 (RGB), got 2"));
        assertTrue(error(Optional.empty(), "data.format=csv").contains("data.format: 'csv' is not one of idx, parquet, images"));
    }

    @Test
    void predictResizeAppliesToParquetAndImagesOnly() {
        assertTrue(error(Optional.empty(), "predict.resize=true").contains(
                "predict.resize: does not apply to predict.format=idx"));
        assertTrue(JobConfigLoader.load(Optional.empty(), List.of("predict.format=images", "predict.resize=true"))
                .predict().resize());
        assertFalse(JobConfigLoader.load(Optional.empty(), List.of("predict.format=parquet")).predict().resize());
    }

    @Test
    void eachEngineGetsItsOwnSettingsWithReferenceDefaults() {
        for (String engine : new String[] {"allreduce", "parameter-averaging"}) {
            TrainingConfig training = load("training.engine=" + engine).training();
            assertEquals(new AllReduceSettings(600, CpuKernels.ONEDNN), training.allReduce(), engine);
            assertEquals(new ParameterAveragingSettings(2), training.parameterAveraging(), engine);
        }
        assertEquals(new AllReduceSettings(30, CpuKernels.DL4J),
                load("training.peer-timeout-seconds=30", "training.cpu-kernels=dl4j").training().allReduce());
        assertEquals(new ParameterAveragingSettings(4), load("training.engine=parameter-averaging",
                "training.prefetch-batches=4").training().parameterAveraging());
    }

    @Test
    void aSettingOfAnotherEngineIsRefusedNamingTheKeyAndTheEngine() {
        assertEquals("defaults: training.prefetch-batches: does not apply to training.engine=allreduce (only "
                        + "parameter-averaging reads it: remove it, or set training.engine=parameter-averaging)",
                error(Optional.empty(), "training.prefetch-batches=4"));
        String message = error(Optional.empty(), "training.engine=parameter-averaging",
                "training.peer-timeout-seconds=30", "training.cpu-kernels=dl4j");
        assertEquals("defaults: training.cpu-kernels: does not apply to training.engine=parameter-averaging (only "
                + "allreduce reads it: remove it, or set training.engine=allreduce); training.peer-timeout-seconds: "
                + "does not apply to training.engine=parameter-averaging (only allreduce reads it: remove it, or set "
                + "training.engine=allreduce)", message);
        BadInputException fromProgram = assertThrows(BadInputException.class, () -> JobConfigLoader.fromSettings(
                "the caller", java.util.Map.of("training.engine", "allreduce", "training.prefetch-batches", 4)));
        assertTrue(fromProgram.getMessage().startsWith("the caller: training.prefetch-batches: does not apply to "
                + "training.engine=allreduce"), fromProgram.getMessage());
    }

    @Test
    void theBenchTakesTheSettingsOfEveryEngineItRuns() {
        JobConfig bench = JobConfigLoader.loadForBench(Optional.empty(), List.of("training.prefetch-batches=4",
                "training.peer-timeout-seconds=30", "training.cpu-kernels=dl4j"));
        assertEquals(4, bench.training().parameterAveraging().prefetchBatches(), "auto may run parameter averaging");
        assertEquals(new AllReduceSettings(30, CpuKernels.DL4J), bench.training().allReduce());
        assertEquals(CpuKernels.DL4J, JobConfigLoader.loadForBench(Optional.empty(), List.of(
                "training.engine=parameter-averaging", "training.cpu-kernels=dl4j",
                "bench.allreduce-averaging-frequencies=[]")).training().allReduce().cpuKernels(),
                "the single-JVM cases read it whatever training.engine says");
    }

    @Test
    void theBenchRefusesASettingNoneOfItsCasesReads() {
        assertEquals("defaults: training.prefetch-batches: does not apply to this bench, which runs no "
                + "parameter-averaging case (remove it, or set bench.parameter-averaging=true)", benchError(
                "training.prefetch-batches=4", "bench.parameter-averaging=false"));
        assertEquals("defaults: training.prefetch-batches: does not apply to this bench, which runs no "
                + "parameter-averaging case (remove it, or set bench.parameter-averaging=true)", benchError(
                "training.prefetch-batches=4", "bench.simulated-step-millis=60", "bench.single-jvm-threads=[]",
                "bench.per-core-batch-sizes=[]"), "auto is off in the compute-free mode");
        assertEquals("defaults: training.peer-timeout-seconds: does not apply to this bench, which runs no allreduce "
                + "case (remove it, or list averaging frequencies in bench.allreduce-averaging-frequencies)",
                benchError("training.peer-timeout-seconds=30", "bench.allreduce-averaging-frequencies=[]"));
        assertEquals("defaults: training.cpu-kernels: does not apply to this bench, which runs no allreduce, "
                + "single-JVM or per-core case (remove it, or list some in bench.allreduce-averaging-frequencies, "
                + "bench.single-jvm-threads or bench.per-core-batch-sizes)", benchError("training.cpu-kernels=dl4j",
                "bench.allreduce-averaging-frequencies=[]", "bench.single-jvm-threads=[]",
                "bench.per-core-batch-sizes=[]"));
    }

    private static String benchError(String... overrides) {
        BadInputException e = assertThrows(BadInputException.class,
                () -> JobConfigLoader.loadForBench(Optional.empty(), List.of(overrides)));
        return e.getMessage();
    }
}
