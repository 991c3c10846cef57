package org.sparkcnn.output;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Saves and loads models as DL4J model zips (configuration, parameters, optimiser state) on Hadoop URIs. */
public final class ModelStore {
    public static final String MODEL_FILE = "model.zip";
    /** The model zip's entry holding the class names (a JSON array of strings). */
    public static final String CLASS_NAMES = "sparkcnn-class-names.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelStore() {
    }

    public static void write(MultiLayerNetwork network, OutputStream out) throws IOException {
        ModelSerializer.writeModel(network, out, true);
    }

    /**
     * The model zip with one more entry, {@value #CLASS_NAMES}: the class names in label order, so that
     * predict and evaluate name the classes as the training data did. DL4J's reader ignores the entry.
     */
    public static void write(MultiLayerNetwork network, List<String> classNames, OutputStream out) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        ModelSerializer.writeModel(network, model, true);
        write(model.toByteArray(), classNames, out);
    }

    /** Model-zip bytes with {@value #CLASS_NAMES} set to {@code classNames} (replacing any it has). */
    public static void write(byte[] modelZip, List<String> classNames, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(modelZip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.getName().equals(CLASS_NAMES)) {
                    continue;
                }
                zip.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(zip);
                zip.closeEntry();
            }
        }
        zip.putNextEntry(new ZipEntry(CLASS_NAMES));
        zip.write(JSON.writeValueAsBytes(classNames));
        zip.closeEntry();
        zip.finish();
    }

    /**
     * The class names a model zip (or a run output folder's) carries; empty for a model saved without
     * them (before sparkcnn 0.x had names, or by DL4J itself).
     */
    public static Optional<List<String>> readClassNames(Configuration conf, URI model) {
        Path path = modelFile(conf, model);
        try (InputStream in = path.getFileSystem(conf).open(path)) {
            return readClassNames(in);
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": model file not found");
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(path + ": not a readable model zip (" + e.getMessage() + ")", e);
        }
    }

    /** The class names in model-zip bytes (a {@link #write(MultiLayerNetwork, List, OutputStream)} zip), if any. */
    public static Optional<List<String>> readClassNames(byte[] modelZip) {
        try {
            return readClassNames(new ByteArrayInputStream(modelZip));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<List<String>> readClassNames(InputStream in) throws IOException {
        ZipInputStream zip = new ZipInputStream(in);
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
            if (entry.getName().equals(CLASS_NAMES)) {
                return Optional.of(List.of(JSON.readValue(zip.readAllBytes(), String[].class)));
            }
        }
        return Optional.empty();
    }

    private static Path modelFile(Configuration conf, URI model) {
        Path path = new Path(model);
        try {
            FileSystem fs = path.getFileSystem(conf);
            return fs.exists(path) && fs.getFileStatus(path).isDirectory() ? new Path(path, MODEL_FILE) : path;
        } catch (IOException e) {
            throw new BadInputException(path + ": " + e.getMessage(), e);
        }
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
        Path path = modelFile(conf, model);
        try (InputStream in = path.getFileSystem(conf).open(path)) {
            return ModelSerializer.restoreMultiLayerNetwork(in, true);
        } catch (FileNotFoundException e) {
            throw new BadInputException(path + ": model file not found");
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(path + ": not a readable DL4J model zip (" + BadInputException.describe(e)
                    + ")", e);
        }
    }
}
