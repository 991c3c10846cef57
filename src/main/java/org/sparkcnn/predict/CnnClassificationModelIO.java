package org.sparkcnn.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.output.ModelStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * MLlib persistence of {@link CnnClassificationModel}: {@code metadata/} in Spark's DefaultParams layout
 * ({@link ParamsMetadata}, with the image shape as an extra field), so that {@code PipelineModel.load} finds
 * the class, and {@code model/model.zip} with the DL4J network and the class names (the train command's
 * model-zip entry, so {@code sparkcnn predict --model .../model/model.zip} names the classes too).
 */
final class CnnClassificationModelIO {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL_ZIP = "model/model.zip";
    private static final String IMAGE_SHAPE = "imageShape";

    private CnnClassificationModelIO() {
    }

    static final class Writer extends MLWriter {
        private final CnnClassificationModel instance;

        Writer(CnnClassificationModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            ObjectNode shape = JSON.createObjectNode();
            shape.put("rows", instance.rows());
            shape.put("cols", instance.cols());
            shape.put("channels", instance.channels());
            shape.put("numClasses", instance.numClasses());
            ParamsMetadata.save(instance, path, sc(), Map.of(IMAGE_SHAPE, shape));
            try {
                Path zip = new Path(path, MODEL_ZIP);
                FileSystem fs = zip.getFileSystem(sc().hadoopConfiguration());
                try (FSDataOutputStream out = fs.create(zip, true)) {
                    ModelStore.write(instance.modelZip(), instance.classNames(), out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": " + e.getMessage(), e);
            }
        }
    }

    static final class Reader extends MLReader<CnnClassificationModel> {
        @Override
        public CnnClassificationModel load(String path) {
            JsonNode metadata = ParamsMetadata.load(path, sc(), CnnClassificationModel.class);
            byte[] zip;
            try {
                Path file = new Path(path, MODEL_ZIP);
                try (InputStream in = file.getFileSystem(sc().hadoopConfiguration()).open(file)) {
                    zip = in.readAllBytes();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": " + e.getMessage(), e);
            }
            JsonNode shape = metadata.path(IMAGE_SHAPE);
            // models saved before colour images have no channel count: they are grey
            DatasetShape imageShape = new DatasetShape(shape.path("rows").asInt(), shape.path("cols").asInt(),
                    shape.path("channels").asInt(1), shape.path("numClasses").asInt());
            // models saved before class names were kept: numbered classes
            CnnClassificationModel model = new CnnClassificationModel(metadata.path("uid").asText(), zip, imageShape,
                    ModelStore.readClassNames(zip).orElseGet(() -> ClassNames.numbered(imageShape.numClasses()).names()));
            ParamsMetadata.setParams(model, metadata, path);
            return model;
        }
    }
}
