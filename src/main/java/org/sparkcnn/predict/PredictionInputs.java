package org.sparkcnn.predict;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.common.SerializableHadoopConf;
import org.sparkcnn.config.PredictConfig;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.ExecutorShards;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.LabeledImages;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Loads the images the predict command scores as a DataFrame with an {@value #ID} column, an image column
 * {@value #FEATURES} and, for labelled IDX input, a {@value #LABEL} column. Files are read by the
 * executors; the driver only validates them.
 */
final class PredictionInputs {
    static final String ID = "id";
    static final String FEATURES = "features";
    static final String LABEL = "label";

    private final SparkSession session;
    private final JavaSparkContext sc;
    private final Configuration hadoopConf;
    private final DatasetShape shape;

    PredictionInputs(SparkSession session, DatasetShape shape) {
        this.session = session;
        this.sc = JavaSparkContext.fromSparkContext(session.sparkContext());
        this.hadoopConf = sc.hadoopConfiguration();
        this.shape = shape;
    }

    Dataset<Row> load(PredictConfig predict) {
        URI input = predict.input().orElseThrow(
                () -> new BadInputException("predict.input: must name the images to score (predict --input URI)"));
        requireExists(input);
        return switch (predict.format()) {
            case IDX -> idx(input, predict.labels());
            case PARQUET -> parquet(input, predict.featuresCol(), predict.idCol());
            case IMAGES -> imageFolder(input);
        };
    }

    /** IDX images (and optionally labels): executors read contiguous ranges of the files. */
    private Dataset<Row> idx(URI images, Optional<URI> labels) {
        IdxDatasetReader reader = new IdxDatasetReader(hadoopConf, shape);
        int count = labels.isPresent() ? reader.inspect(images, labels.get()).count() : reader.inspectImages(images);
        List<ExecutorShards.Range> ranges = ExecutorShards.split(count, sc.defaultParallelism());
        Broadcast<SerializableHadoopConf> conf = sc.broadcast(new SerializableHadoopConf(hadoopConf));
        DatasetShape shape = this.shape;
        URI labelsUri = labels.orElse(null);
        JavaRDD<Row> rows = sc.parallelize(ranges, ranges.size()).flatMap(range -> {
            IdxDatasetReader executorReader = new IdxDatasetReader(conf.value().get(), shape);
            int size = shape.pixelsPerImage();
            List<Row> out = new ArrayList<>(range.count());
            if (labelsUri == null) {
                byte[] pixels = executorReader.readImagesRange(images, range.from(), range.count());
                for (int i = 0; i < range.count(); i++) {
                    out.add(RowFactory.create((long) range.from() + i,
                            Arrays.copyOfRange(pixels, i * size, (i + 1) * size)));
                }
            } else {
                LabeledImages shard = executorReader.readRange(images, labelsUri, range.from(), range.count());
                for (int i = 0; i < range.count(); i++) {
                    out.add(RowFactory.create((long) range.from() + i, shard.label(i),
                            Arrays.copyOfRange(shard.pixels(), i * size, (i + 1) * size)));
                }
            }
            return out.iterator();
        });
        StructType schema = new StructType().add(ID, DataTypes.LongType, false);
        if (labelsUri != null) {
            schema = schema.add(LABEL, DataTypes.IntegerType, false);
        }
        return session.createDataFrame(rows, schema.add(FEATURES, DataTypes.BinaryType, false));
    }

    private Dataset<Row> parquet(URI input, String featuresCol, String idCol) {
        Dataset<Row> data = session.read().parquet(input.toString());
        List<String> columns = Arrays.asList(data.columns());
        if (!columns.contains(featuresCol)) {
            throw new BadInputException(input + ": no column '" + featuresCol + "' (predict.features-col); columns: "
                    + String.join(", ", columns));
        }
        if (!columns.contains(idCol)) {
            data = data.withColumn(idCol, functions.monotonically_increasing_id());
        }
        return data.select(data.col(idCol).as(ID), data.col(featuresCol).as(FEATURES));
    }

    private Dataset<Row> imageFolder(URI input) {
        Dataset<Row> files = session.read().format("binaryFile")
                .option("pathGlobFilter", "*.{png,PNG,jpg,JPG,jpeg,JPEG,bmp,BMP,gif,GIF}")
                .load(input.toString());
        if (files.isEmpty()) {
            throw new BadInputException(input + ": no PNG/JPEG/BMP/GIF images in this folder");
        }
        return files.select(files.col("path").as(ID), files.col("content").as(FEATURES));
    }

    private void requireExists(URI uri) {
        try {
            Path path = new Path(uri);
            if (!path.getFileSystem(hadoopConf).exists(path)) {
                throw new BadInputException("predict.input " + uri + ": not found");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": " + e.getMessage(), e);
        }
    }
}
