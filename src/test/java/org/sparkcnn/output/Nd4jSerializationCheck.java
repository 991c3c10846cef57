package org.sparkcnn.output;

import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.config.JobConfigLoader;
import org.sparkcnn.model.CnnArchitecture;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What DL4J/nd4j serialise with, checked on whatever classpath runs it: nd4j's FlatBuffers classes
 * (generated for the flatbuffers-java 1.12 runtime, which Spark 4.1's Arrow replaces with 25.x) pass their
 * version check and round-trip a graph with its arrays, and a model.zip saved by sparkcnn loads back into
 * the same network. {@link Nd4jSerializationTest} runs it on the build's test classpath;
 * {@code AppJarOnSparkClasspathIT} runs {@link #main} on the application jar behind a Spark home's jars, as
 * spark-submit does.
 *
 * <p>It names no com.google.flatbuffers type itself: the application jar relocates that package.
 */
public final class Nd4jSerializationCheck {
    private Nd4jSerializationCheck() {
    }

    /** @return what was checked, one line; throws when anything does not hold */
    public static String run(Path dir) throws IOException {
        // the generated classes' own check: calls Constants.FLATBUFFERS_1_12_0(), absent from 2.x and later
        FlatArray.ValidateVersion();
        FlatGraph.ValidateVersion();

        SameDiff graph = SameDiff.create();
        INDArray weights = Nd4j.linspace(1, 6, 6, DataType.FLOAT).reshape(2, 3);
        SDVariable w = graph.var("w", weights);
        SDVariable x = graph.placeHolder("x", DataType.FLOAT, -1, 2);
        x.mmul("out", w);
        ByteBuffer flat = graph.asFlatBuffers(false);
        SameDiff restored = SameDiff.fromFlatBuffers(flat);
        require(weights.equals(restored.getArrForVarName("w")), "the graph's array after a FlatBuffers round trip");
        INDArray input = Nd4j.createFromArray(new float[][]{{1, 2}, {3, 4}});
        INDArray expected = input.mmul(weights);
        require(expected.equals(restored.outputSingle(Map.of("x", input), "out")),
                "the restored graph's output");

        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(
                JobConfigLoader.load(Optional.empty(), List.of()).model(), org.sparkcnn.data.DatasetShape.MNIST));
        network.init();
        Path zip = dir.resolve(ModelStore.MODEL_FILE);
        try (OutputStream out = Files.newOutputStream(zip)) {
            ModelStore.write(network, out);
        }
        MultiLayerNetwork loaded = ModelStore.read(new Configuration(), zip.toUri());
        require(network.params().equals(loaded.params()), "the loaded model.zip's parameters");
        INDArray images = Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28);
        require(network.output(images).equals(loaded.output(images)), "the loaded model.zip's output");
        return "FlatBuffers version check passed, graph of " + flat.remaining() + " bytes round-tripped, "
                + "model.zip of " + Files.size(zip) + " bytes (" + loaded.numParams() + " parameters) loaded back";
    }

    private static void require(boolean holds, String what) {
        if (!holds) {
            throw new IllegalStateException(what + " differs from the original");
        }
    }

    /** Prints the summary and exits 0, or the failure and exits 1. */
    public static void main(String[] args) {
        try {
            System.out.println("OK " + run(Path.of(args[0])));
            System.exit(0);
        } catch (Throwable t) { // NoSuchMethodError from a wrong FlatBuffers runtime is an Error
            t.printStackTrace();
            System.exit(1);
        }
    }
}
