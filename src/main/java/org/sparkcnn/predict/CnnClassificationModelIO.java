package org.sparkcnn.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.DatasetShape;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * MLlib persistence of {@link CnnClassificationModel}: {@code metadata/} in Spark's DefaultParams layout (one
 * JSON line with class, uid, params), so that {@code PipelineModel.load} finds the class, and
 * {@code model/model.zip} with the DL4J network.
 */
final class CnnClassificationModelIO {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_ZIP = "model/model.zip";

    private CnnClassificationModelIO() {
    }

    static final class Writer extends MLWriter {
        private final CnnClassificationModel instance;

        Writer(CnnClassificationModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            ObjectNode metadata = JSON.createObjectNode();
            metadata.put("class", CnnClassificationModel.class.getName());
            metadata.put("timestamp", System.currentTimeMillis());
            metadata.put("sparkVersion", sc().version());
            metadata.put("uid", instance.uid());
            ObjectNode params = metadata.putObject("paramMap");
            params.put("featuresCol", instance.getOrDefault(instance.featuresCol()));
            params.put("predictionCol", instance.getOrDefault(instance.predictionCol()));
            params.put("probabilityCol", instance.getOrDefault(instance.probabilityCol()));
            params.put("batchSize", (int) instance.getOrDefault(instance.batchSize()));
            metadata.putObject("defaultParamMap");
            ObjectNode shape = metadata.putObject("imageShape");
            shape.put("rows", instance.rows());
            shape.put("cols", instance.cols());
            shape.put("channels", instance.channels());
            shape.put("numClasses", instance.numClasses());
            try {
                new JavaSparkContext(sc()).parallelize(List.of(JSON.writeValueAsString(metadata)), 1)
                        .saveAsTextFile(new Path(path, "metadata").toString());
                Path zip = new Path(path, MODEL_ZIP);
                FileSystem fs = zip.getFileSystem(sc().hadoopConfiguration());
                try (FSDataOutputStream out = fs.create(zip, true)) {
                    out.write(instance.modelZip());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": " + e.getMessage(), e);
            }
        }
    }

    static final class Reader extends MLReader<CnnClassificationModel> {
        @Override
        public CnnClassificationModel load(String path) {
            try {
                Path metadataDir = new Path(path, "metadata");
                FileSystem fs = metadataDir.getFileSystem(sc().hadoopConfiguration());
                if (!fs.exists(metadataDir)) {
                    throw new BadInputException(path + ": not a saved sparkcnn model (no metadata/)");
                }
                JsonNode metadata = JSON.readTree(new JavaSparkContext(sc()).textFile(metadataDir.toString()).first());
                if (!CnnClassificationModel.class.getName().equals(metadata.path("class").asText())) {
                    throw new BadInputException(path + ": holds a " + metadata.path("class").asText()
                            + ", expected a " + CnnClassificationModel.class.getName());
                }
                byte[] zip;
                try (InputStream in = fs.open(new Path(path, MODEL_ZIP))) {
                    zip = in.readAllBytes();
                }
                JsonNode shape = metadata.path("imageShape");
                // models saved before colour images have no channel count: they are grey
                CnnClassificationModel model = new CnnClassificationModel(metadata.path("uid").asText(), zip,
                        new DatasetShape(shape.path("rows").asInt(), shape.path("cols").asInt(),
                                shape.path("channels").asInt(1), shape.path("numClasses").asInt()));
                JsonNode params = metadata.path("paramMap");
                model.setFeaturesCol(params.path("featuresCol").asText())
                        .setPredictionCol(params.path("predictionCol").asText())
                        .setProbabilityCol(params.path("probabilityCol").asText())
                        .setBatchSize(params.path("batchSize").asInt());
                return model;
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": " + e.getMessage(), e);
            }
        }
    }
}
