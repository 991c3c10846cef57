package org.sparkcnn.ml;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.data.ImageTable;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.job.DataPreparer;
import org.sparkcnn.job.PreparedData;
import org.sparkcnn.job.TrainingRun;
import org.sparkcnn.predict.CnnClassificationModel;
import org.sparkcnn.predict.ParamsMetadata;
import org.sparkcnn.train.TrainedModel;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * sparkcnn's CNN as a Spark ML {@link Estimator}: {@code fit} trains it with the allreduce engine on the
 * executors of the DataFrame's Spark session and returns a {@link CnnClassificationModel}. Usable in a
 * {@link org.apache.spark.ml.Pipeline}, saved and loaded with MLlib's writer/reader.
 *
 * <p>The input: an image column ({@code featuresCol}: encoded image bytes, raw bytes, a numeric array or an
 * ML vector, as the train command's Parquet image column) and a label column ({@code labelCol}: a class
 * index, as StringIndexer gives, or a class name). The classes are the labels found, sorted (names as
 * strings, indices as numbers); the model keeps their names. fit takes the train command's path: the
 * params become the train command's settings (each param sets the reference.conf key its doc names, with
 * that key's default, checked by {@link JobConfigLoader}), then {@link DataPreparer} checks the table and
 * {@link TrainingRun} trains on its shards. Bad params or columns fail with a one-line
 * {@link BadInputException} before training starts.
 */
public final class CnnClassifier extends Estimator<CnnClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    /** The reference.conf key each training param sets, by param name. */
    private final Map<String, String> settingKeys = new LinkedHashMap<>();

    // created in the constructor, after uid: a Param records its parent's uid when it is built. Spark finds
    // a stage's params through its public no-argument methods returning Param, hence the accessors below.
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final IntParam epochs;
    private final IntParam batchSizePerWorker;
    private final DoubleParam learningRate;
    private final DoubleParam learningRateDecay;
    private final IntParam workers;
    private final IntParam averagingFrequency;
    private final IntParam validationSize;
    private final LongParam seed;

    public CnnClassifier() {
        this(Identifiable$.MODULE$.randomUID("cnnClassifier"));
    }

    public CnnClassifier(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol",
                "image column: encoded image bytes (PNG/JPEG/BMP/GIF), raw bytes, a numeric array or an ML vector");
        labelCol = new Param<>(this, "labelCol", "label column: a class index (e.g. StringIndexer's) or a class name");
        predictionCol = new Param<>(this, "predictionCol", "predicted class column");
        probabilityCol = new Param<>(this, "probabilityCol", "column of class probabilities (softmax output)");
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        epochs = setting(IntParam::new, "epochs", "passes over the training set", "training.epochs");
        batchSizePerWorker = setting(IntParam::new, "batchSizePerWorker", "minibatch size each worker fits",
                "training.batch-size-per-worker");
        learningRate = setting(DoubleParam::new, "learningRate", "the optimiser's learning rate",
                "model.learning-rate");
        learningRateDecay = setting(DoubleParam::new, "learningRateDecay",
                "the learning rate is multiplied by this after each epoch, in (0, 1]", "model.learning-rate-decay");
        workers = setting(IntParam::new, "workers", "parallel training tasks; 0 = Spark's default parallelism",
                "training.workers");
        averagingFrequency = setting(IntParam::new, "averagingFrequency",
                "minibatches each worker fits between two model averagings", "training.averaging-frequency");
        validationSize = setting(IntParam::new, "validationSize", "training examples held out to validate each "
                + "epoch; the model is then the best one by validation accuracy; 0 = none", "data.validation-size");
        seed = setting(LongParam::new, "seed", "seed of weight initialisation, dropout and shuffling", "model.seed");
    }

    /** A param's constructor: (parent, name, doc). */
    @FunctionalInterface
    private interface ParamConstructor<P extends Param<?>> {
        P create(Identifiable parent, String name, String doc);
    }

    /**
     * A training param: its doc names {@code key}, its default is reference.conf's value of {@code key}, and
     * fit passes its value to the config loader as {@code key}.
     */
    private <P extends Param<?>> P setting(ParamConstructor<P> constructor, String name, String doc, String key) {
        P param = constructor.create(this, name, doc + " (sets " + key + ")");
        settingKeys.put(name, key);
        @SuppressWarnings("unchecked")
        Param<Object> p = (Param<Object>) param;
        Object value = JobConfigLoader.defaultValue(key);
        setDefault(p, p instanceof LongParam ? ((Number) value).longValue()
                : p instanceof DoubleParam ? ((Number) value).doubleValue() : value);
        return param;
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam batchSizePerWorker() {
        return batchSizePerWorker;
    }

    public DoubleParam learningRate() {
        return learningRate;
    }

    public DoubleParam learningRateDecay() {
        return learningRateDecay;
    }

    public IntParam workers() {
        return workers;
    }

    public IntParam averagingFrequency() {
        return averagingFrequency;
    }

    public IntParam validationSize() {
        return validationSize;
    }

    public LongParam seed() {
        return seed;
    }

    public CnnClassifier setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public CnnClassifier setLabelCol(String value) {
        set(labelCol, value);
        return this;
    }

    public CnnClassifier setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    public CnnClassifier setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public CnnClassifier setEpochs(int value) {
        set(epochs, value);
        return this;
    }

    public CnnClassifier setBatchSizePerWorker(int value) {
        set(batchSizePerWorker, value);
        return this;
    }

    public CnnClassifier setLearningRate(double value) {
        set(learningRate, value);
        return this;
    }

    public CnnClassifier setLearningRateDecay(double value) {
        set(learningRateDecay, value);
        return this;
    }

    public CnnClassifier setWorkers(int value) {
        set(workers, value);
        return this;
    }

    public CnnClassifier setAveragingFrequency(int value) {
        set(averagingFrequency, value);
        return this;
    }

    public CnnClassifier setValidationSize(int value) {
        set(validationSize, value);
        return this;
    }

    public CnnClassifier setSeed(long value) {
        set(seed, value);
        return this;
    }

    /**
     * The train command's settings these params make: the training params by their keys, the allreduce
     * engine, and a table (data.format=parquet: geometry from the first image) with these columns.
     */
    Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("training.engine", "allreduce");
        settings.put("data.format", "parquet");
        settings.put("data.image-col", $(featuresCol));
        settings.put("data.label-col", $(labelCol));
        settingKeys.forEach((param, key) -> settings.put(key, $(getParam(param))));
        return settings;
    }

    @Override
    public CnnClassificationModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JobConfig config = JobConfigLoader.fromSettings("CnnClassifier " + uid + " (params set the keys their docs "
                + "name)", settings());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ImageTable.Columns columns = new ImageTable.Columns($(featuresCol), "featuresCol", $(labelCol), "labelCol");
        ImageTable table = ImageTable.dataFrame(dataset.toDF(), columns, "CnnClassifier " + uid + " input");
        PreparedData train = new DataPreparer(config.data(), sc.hadoopConfiguration(), config.model().seed())
                .train(table, columns);

        // measures the held-out images (validationSize); without them nothing is measured while training, since
        // a measurement would only be logged
        DistributedEvaluator evaluator = new DistributedEvaluator(sc, config.evaluation().batchSize(),
                train.shape().numClasses(), 0);
        TrainedModel trained = TrainingRun.fit(sc, config, train, evaluator, Optional.empty(),
                TrainingRun.Checkpoints.NONE).trained();
        CnnClassificationModel model = new CnnClassificationModel(trained.network(), train.shape(),
                train.classes().names());
        return copyValues(model, extractParamMap()).setParent(this);
    }

    /**
     * The input must have the image and label columns (their types and values are checked by fit); the
     * output is the model's.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        for (Param<String> column : Arrays.asList(featuresCol, labelCol)) {
            if (!Arrays.asList(schema.fieldNames()).contains($(column))) {
                throw new BadInputException("CnnClassifier: no column '" + $(column) + "' (" + column.name()
                        + ") in " + schema.simpleString());
            }
        }
        // the model fit returns names its classes in the default predicted-label column
        return CnnClassificationModel.withOutputColumns(schema, $(predictionCol), CnnClassificationModel.PREDICTED_LABEL,
                $(probabilityCol));
    }

    @Override
    public CnnClassifier copy(ParamMap extra) {
        return copyValues(new CnnClassifier(uid), extra);
    }

    @Override
    public MLWriter write() {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                ParamsMetadata.save(CnnClassifier.this, path, sc(), Map.of());
            }
        };
    }

    public static MLReader<CnnClassifier> read() {
        return new MLReader<>() {
            @Override
            public CnnClassifier load(String path) {
                var metadata = ParamsMetadata.load(path, sc(), CnnClassifier.class);
                CnnClassifier classifier = new CnnClassifier(metadata.path("uid").asText());
                ParamsMetadata.setParams(classifier, metadata, path);
                return classifier;
            }
        };
    }

    public static CnnClassifier load(String path) {
        return read().load(path);
    }
}
