package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.sparkcnn.common.BadInputException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;

/** Saves and loads models as DL4J model zips (configuration, parameters, optimiser state) on Hadoop URIs. */
public final class ModelStore {
    public static final String MODEL_FILE = "model.zip";

    private ModelStore() {
    }

    public static void write(MultiLayerNetwork network, OutputStream out) throws IOException {
        ModelSerializer.writeModel(network, out, true);
    }

    /** The network as model-zip bytes without optimiser state: what executors need to predict. */
    public static byte[] toBytes(MultiLayerNetwork network) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ModelSerializer.writeModel(network, out, false);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The network from {@link #toBytes} bytes. */
    public static MultiLayerNetwork fromBytes(byte[] modelZip) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(modelZip), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param model a model zip, or a run output folder containing {@value #MODEL_FILE}
     */
    public static MultiLayerNetwork read(Configuration conf, URI model) {
        Path path = new Path(model);
        try {
            FileSystem fs = path.getFileSystem(conf);
            if (fs.exists(path) && fs.getFileStatus(path).isDirectory()) {
                path = new Path(path, MODEL_FILE);
            }
            try (InputStream in = fs.open(path)) {
                return ModelSerializer.restoreMultiLayerNetwork(in, true);
            }
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": model file not found");
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(path + ": not a readable DL4J model zip (" + BadInputException.describe(e)
                    + ")", e);
        }
    }
}
