package org.sparkcnn.predict;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.TaskContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.fit.BatchPredictor;
import org.sparkcnn.fit.BatchPredictors;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.output.ModelStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The trained CNN as a Spark ML {@link Model}: a Transformer that adds a {@code prediction} (class, as a
 * double, like Spark's classifiers), a {@code predicted_label} (the class's name) and a {@code probability}
 * vector (softmax output) to every row of a DataFrame holding images in {@code featuresCol}, grey or RGB, of
 * the network's size (see {@link PixelDecoder} for accepted types; {@code resize} resizes and converts the
 * others). Usable in a {@link org.apache.spark.ml.Pipeline}; saved and loaded with MLlib's writer/reader.
 *
 * <p>The model is broadcast once per transform; each executor unpacks it once and predicts each partition in
 * minibatches of {@code batchSize} ({@link BatchPredictors}: oneDNN's forward pass for sparkcnn's CNN on CPUs).
 */
public final class CnnClassificationModel extends Model<CnnClassificationModel> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final byte[] modelZip;
    /** The images the network takes (rows, cols, channels) and the classes it predicts. */
    private final DatasetShape shape;
    /** The classes' names in prediction order (the training labels', as the train command keeps them). */
    private final List<String> classNames;

    // created in the constructor, after uid: a Param records its parent's uid when it is built. Spark finds
    // a stage's params through its public no-argument methods returning Param, hence the accessors below.
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> predictedLabelCol;
    private final Param<String> probabilityCol;
    private final IntParam batchSize;
    private final BooleanParam resize;

    /** The predicted class's name column, unless {@code predictedLabelCol} is set (models saved before it have it). */
    public static final String PREDICTED_LABEL = "predicted_label";

    /** A model whose classes are named by their numbers ("0", "1", ...). */
    public CnnClassificationModel(MultiLayerNetwork network, DatasetShape shape) {
        this(network, shape, ClassNames.numbered(shape.numClasses()).names());
    }

    /** @param classNames the classes' names in prediction order, one per class */
    public CnnClassificationModel(MultiLayerNetwork network, DatasetShape shape, List<String> classNames) {
        this(Identifiable$.MODULE$.randomUID("cnnClassifier"), ModelStore.toBytes(network), shape, classNames);
    }

    CnnClassificationModel(String uid, byte[] modelZip, DatasetShape shape, List<String> classNames) {
        if (classNames.size() != shape.numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + shape.numClasses()
                    + " classes");
        }
        this.uid = uid;
        this.modelZip = modelZip;
        this.shape = shape;
        this.classNames = List.copyOf(classNames);
        this.featuresCol = new Param<>(this, "featuresCol", "image column: vector or numeric array of "
                + "channels*rows*cols values (channel-major), or binary (raw bytes or PNG/JPEG/BMP/GIF)");
        this.predictionCol = new Param<>(this, "predictionCol", "predicted class column");
        this.predictedLabelCol = new Param<>(this, "predictedLabelCol", "predicted class name column (string)");
        this.probabilityCol = new Param<>(this, "probabilityCol", "column of class probabilities (softmax output)");
        this.batchSize = new IntParam(this, "batchSize", "images per forward pass", ParamValidators.gtEq(1));
        this.resize = new BooleanParam(this, "resize", "resize (bilinear) images of another size to the model's "
                + "and convert between grey and RGB; false: such an image is bad input");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(predictedLabelCol, PREDICTED_LABEL);
        setDefault(probabilityCol, "probability");
        setDefault(batchSize, 256);
        setDefault(resize, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> predictedLabelCol() {
        return predictedLabelCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public BooleanParam resize() {
        return resize;
    }

    public CnnClassificationModel setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public CnnClassificationModel setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    public CnnClassificationModel setPredictedLabelCol(String value) {
        set(predictedLabelCol, value);
        return this;
    }

    public CnnClassificationModel setResize(boolean value) {
        set(resize, value);
        return this;
    }

    public CnnClassificationModel setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    public CnnClassificationModel setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public int rows() {
        return shape.rows();
    }

    public int cols() {
        return shape.cols();
    }

    /** 1 (grey) or 3 (RGB). */
    public int channels() {
        return shape.channels();
    }

    public int numClasses() {
        return shape.numClasses();
    }

    /** The classes' names, in prediction order: prediction {@code i} is class {@code classNames().get(i)}. */
    public List<String> classNames() {
        return classNames;
    }

    /** The network (a fresh copy). */
    public MultiLayerNetwork network() {
        return ModelStore.fromBytes(modelZip);
    }

    byte[] modelZip() {
        return modelZip.clone();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String features = $(featuresCol);
        if (!Arrays.asList(schema.fieldNames()).contains(features)) {
            throw new BadInputException("no column '" + features + "' (featuresCol) in " + schema.simpleString());
        }
        PixelDecoder.checkColumnType(schema.apply(features));
        return withOutputColumns(schema, $(predictionCol), $(predictedLabelCol), $(probabilityCol));
    }

    /**
     * {@code schema} with the prediction, class name and probability columns a model adds (an Estimator's
     * transformSchema too), which must not be there yet.
     */
    public static StructType withOutputColumns(StructType schema, String predictionCol, String predictedLabelCol,
                                               String probabilityCol) {
        List<String> outputs = List.of(predictionCol, predictedLabelCol, probabilityCol);
        for (String out : outputs) {
            if (Arrays.asList(schema.fieldNames()).contains(out)) {
                throw new BadInputException("output column '" + out + "' already exists in " + schema.simpleString());
            }
        }
        if (new java.util.HashSet<>(outputs).size() < outputs.size()) {
            throw new BadInputException("output columns " + outputs + " (predictionCol, predictedLabelCol, "
                    + "probabilityCol) must differ");
        }
        return schema.add(new StructField(predictionCol, DataTypes.DoubleType, false,
                        org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField(predictedLabelCol, DataTypes.StringType, false,
                        org.apache.spark.sql.types.Metadata.empty()))
                .add(new StructField(probabilityCol, SQLDataTypes.VectorType(), false,
                        org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<byte[]> model = sc.broadcast(modelZip);
        int featureIndex = dataset.schema().fieldIndex($(featuresCol));
        PixelDecoder decoder = new PixelDecoder(shape, (Boolean) $(resize), $(featuresCol));
        int batch = (Integer) $(batchSize);
        int pixels = shape.pixelsPerImage();
        String[] names = classNames.toArray(String[]::new);
        String transformId = java.util.UUID.randomUUID().toString();
        JavaRDD<Row> predicted = dataset.toDF().javaRDD().mapPartitions(partition ->
                predictPartition(partition, NetworkCache.forTask(transformId, model.value()), decoder, featureIndex,
                        batch, pixels, names));
        return dataset.sparkSession().createDataFrame(predicted, outSchema);
    }

    /** Lazily predicts the partition in minibatches, appending prediction, class name and probability to each row. */
    private static Iterator<Row> predictPartition(Iterator<Row> input, MultiLayerNetwork net, PixelDecoder decoder,
                                                  int featureIndex, int batchSize, int pixels, String[] names) {
        BatchPredictor predictor = BatchPredictors.create(net);
        // freed when the partition is done, or when its task ends (a downstream limit stops reading early)
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> predictor.close());
        }
        return new Iterator<>() {
            private Iterator<Row> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                if (!current.hasNext() && input.hasNext()) {
                    current = nextBatch();
                }
                if (!current.hasNext()) {
                    predictor.close();
                }
                return current.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }

            private Iterator<Row> nextBatch() {
                List<Row> rows = new ArrayList<>(batchSize);
                while (rows.size() < batchSize && input.hasNext()) {
                    rows.add(input.next());
                }
                float[] features = new float[rows.size() * pixels];
                for (int i = 0; i < rows.size(); i++) {
                    Row row = rows.get(i);
                    decoder.decode(row, featureIndex, keyOf(row, featureIndex, i), features, i * pixels);
                }
                INDArray probabilities = predictor.probabilities(
                        Nd4j.create(features, new long[]{rows.size(), pixels}, 'c'));
                int[] classes = probabilities.argMax(1).toIntVector();
                List<Row> out = new ArrayList<>(rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    Object[] values = new Object[rows.get(i).size() + 3];
                    for (int c = 0; c < rows.get(i).size(); c++) {
                        values[c] = rows.get(i).get(c);
                    }
                    values[values.length - 3] = (double) classes[i];
                    values[values.length - 2] = names[classes[i]];
                    values[values.length - 1] = Vectors.dense(probabilities.getRow(i).toDoubleVector());
                    out.add(RowFactory.create(values));
                }
                return out.iterator();
            }
        };
    }

    /** A row's name in error messages: its first column that is not the image, else its position. */
    private static Object keyOf(Row row, int featureIndex, int position) {
        for (int c = 0; c < row.size(); c++) {
            if (c != featureIndex) {
                return row.get(c);
            }
        }
        return "#" + position;
    }

    @Override
    public CnnClassificationModel copy(ParamMap extra) {
        CnnClassificationModel copy = new CnnClassificationModel(uid, modelZip, shape, classNames);
        copyValues(copy, extra);
        return copy.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new CnnClassificationModelIO.Writer(this);
    }

    public static MLReader<CnnClassificationModel> read() {
        return new CnnClassificationModelIO.Reader();
    }

    public static CnnClassificationModel load(String path) {
        return read().load(path);
    }

    /** Wraps a loaded network, checking it takes images of this shape; its classes are named by their numbers. */
    public static CnnClassificationModel of(MultiLayerNetwork network, DatasetShape shape, String source) {
        return of(network, shape, ClassNames.numbered(shape.numClasses()).names(), source);
    }

    /** Wraps a loaded network, checking it takes images of this shape and predicts {@code classNames}. */
    public static CnnClassificationModel of(MultiLayerNetwork network, DatasetShape shape, List<String> classNames,
                                            String source) {
        CnnArchitecture.requireFits(network, shape, source);
        return new CnnClassificationModel(network, shape, classNames);
    }
}
