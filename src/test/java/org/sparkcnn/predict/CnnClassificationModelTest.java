package org.sparkcnn.predict;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.fit.BatchPredictors;
import org.sparkcnn.fit.Dl4jFitter;
import org.sparkcnn.model.CnnArchitecture;
import org.sparkcnn.model.NativeRuntime;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transformer predicts through {@link BatchPredictors} (oneDNN's forward pass for sparkcnn's CNN on the
 * CPU): its probabilities and classes are DL4J's {@code output(features, false)} for the same digits, in
 * batches of 32 with a last one of 13 images.
 */
@Timeout(180)
class CnnClassificationModelTest {
    @Test
    void transformGivesDl4jsProbabilities() {
        NativeRuntime.enableLayerHelpers();
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(new ModelConfig(7, Optimizer.ADAM,
                0.002, 0, 5e-4, 0.4, 1.0), DatasetShape.MNIST));
        network.init();
        MinibatchFactory factory = new MinibatchFactory(10);
        Dl4jFitter trainer = new Dl4jFitter(network);
        for (DataSet minibatch : factory.toDataSets(MnistFixture.testSet().slice(1_000, 20 * 32), 32, 3)) {
            trainer.fit(minibatch);
        }
        assertTrue(BatchPredictors.usesOneDnn(network), "the transformer's network runs on oneDNN's forward pass");
        LabeledImages digits = MnistFixture.testSet().slice(0, 2 * 32 + 13);
        INDArray expected = network.output(factory.toDataSet(digits).getFeatures(), false);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < digits.count(); i++) {
            rows.add(RowFactory.create((long) i, Arrays.copyOfRange(digits.pixels(), i * 784, (i + 1) * 784)));
        }

        SparkSession session = SparkSession.builder().master("local[1]").appName("CnnClassificationModelTest")
                .config("spark.ui.enabled", "false").getOrCreate();
        List<Row> predicted;
        try {
            CnnClassificationModel model = new CnnClassificationModel(network, DatasetShape.MNIST)
                    .setFeaturesCol("image").setBatchSize(32);
            predicted = model.transform(session.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
                            .add("image", DataTypes.BinaryType)).coalesce(1))
                    .select("id", "prediction", "probability").orderBy("id").collectAsList();
        } finally {
            session.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }

        assertEquals(digits.count(), predicted.size());
        int[] classes = expected.argMax(1).toIntVector();
        int correct = 0;
        for (Row row : predicted) {
            int i = (int) row.getLong(0);
            double[] probabilities = ((Vector) row.get(2)).toArray();
            for (int c = 0; c < 10; c++) {
                assertEquals(expected.getDouble(i, c), probabilities[c], 1e-4, "image " + i + ", class " + c);
            }
            assertEquals(classes[i], row.getDouble(1), "class of image " + i);
            correct += classes[i] == digits.label(i) ? 1 : 0;
        }
        // 20 steps of 32 digits: the comparison is of a model that has learnt something (measured 0.7 mean
        // top probability in BatchPredictorsTest), not of a uniform guess
        assertTrue(correct >= 0.5 * digits.count(), correct + " of " + digits.count() + " correct");
    }
}
