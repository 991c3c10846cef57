package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class MinibatchFactoryTest {
    private static final int N = 1000;
    private static final MinibatchFactory FACTORY = new MinibatchFactory(10);
    private static LabeledImages data;

    @BeforeAll
    static void load() {
        data = MnistFixture.testSet().slice(0, N);
    }

    @Test
    void wholeDataSetShapesAndValues() {
        DataSet ds = FACTORY.toDataSet(data);
        INDArray f = ds.getFeatures();
        INDArray l = ds.getLabels();
        assertArrayEquals(new long[] {N, 784}, f.shape());
        assertArrayEquals(new long[] {N, 10}, l.shape());
        assertEquals(DataType.FLOAT, f.dataType());
        assertEquals(DataType.FLOAT, l.dataType());
        assertEquals(0.0, f.minNumber().doubleValue());
        assertEquals(1.0, f.maxNumber().doubleValue()); // MNIST digits have fully black (255) pixels

        float[] flat = f.data().asFloat();
        byte[] pixels = data.pixels();
        for (int i = 0; i < pixels.length; i += 97) {
            assertEquals((pixels[i] & 0xff) / 255f, flat[i], 0f);
        }
        // one-hot: each row sums to 1 and its 1 is at the label
        assertArrayEquals(Nd4j.ones(DataType.FLOAT, N).data().asFloat(), l.sum(1).data().asFloat());
        long[] argmax = l.argMax(1).data().asLong();
        for (int i = 0; i < N; i++) {
            assertEquals(data.label(i), argmax[i]);
        }
    }

    @Test
    void batchesKeepOrderWithoutSeed() {
        List<DataSet> batches = FACTORY.toDataSets(data, 128, -1);
        assertEquals(8, batches.size());
        for (int i = 0; i < 7; i++) {
            assertEquals(128, batches.get(i).numExamples());
        }
        assertEquals(N - 7 * 128, batches.get(7).numExamples());
        DataSet merged = DataSet.merge(batches);
        DataSet whole = FACTORY.toDataSet(data);
        assertEquals(whole.getFeatures(), merged.getFeatures());
        assertEquals(whole.getLabels(), merged.getLabels());
    }

    @Test
    void shuffleIsDeterministicPerSeed() {
        INDArray a = DataSet.merge(FACTORY.toDataSets(data, 100, 42)).getLabels();
        INDArray b = DataSet.merge(FACTORY.toDataSets(data, 100, 42)).getLabels();
        INDArray c = DataSet.merge(FACTORY.toDataSets(data, 100, 43)).getLabels();
        INDArray unshuffled = FACTORY.toDataSet(data).getLabels();
        assertEquals(a, b);
        assertNotEquals(a, c);
        assertNotEquals(a, unshuffled);
        // a permutation: same class totals
        assertEquals(unshuffled.sum(0), a.sum(0));

        // features move with their labels, and every input example appears exactly once
        Map<ByteBuffer, Integer> labelByImage = new HashMap<>();
        for (int i = 0; i < N; i++) {
            labelByImage.put(ByteBuffer.wrap(data.pixels(), i * 784, 784).slice(), data.label(i));
        }
        DataSet shuffled = DataSet.merge(FACTORY.toDataSets(data, 100, 42));
        float[] features = shuffled.getFeatures().data().asFloat();
        long[] labels = shuffled.getLabels().argMax(1).data().asLong();
        Set<ByteBuffer> seen = new HashSet<>();
        for (int r = 0; r < N; r++) {
            byte[] image = new byte[784];
            for (int p = 0; p < 784; p++) {
                image[p] = (byte) Math.round(features[r * 784 + p] * 255f);
            }
            ByteBuffer key = ByteBuffer.wrap(image);
            assertEquals(labelByImage.get(key), (int) labels[r], "row " + r);
            seen.add(key);
        }
        assertEquals(labelByImage.keySet(), seen);
    }

    @Test
    void batchSizeEdgeCases() {
        assertEquals(1, FACTORY.toDataSets(data, N, -1).size());
        assertEquals(1, FACTORY.toDataSets(data, 5 * N, 7).size());
        assertEquals(N, FACTORY.toDataSets(data.slice(0, N), 1, -1).size());
        assertThrows(IllegalArgumentException.class, () -> FACTORY.toDataSets(data, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> new MinibatchFactory(1));
        assertThrows(IllegalArgumentException.class, () -> new MinibatchFactory(5).toDataSet(data));
    }

    @Test
    void labeledImagesSurvivesJavaSerialization() throws Exception {
        LabeledImages small = data.slice(3, 4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(small);
        }
        LabeledImages copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (LabeledImages) in.readObject();
        }
        assertEquals(4, copy.count());
        assertArrayEquals(small.pixels(), copy.pixels());
        assertArrayEquals(small.labels(), copy.labels());
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(2, 28, 28, new byte[784], new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> new LabeledImages(1, 28, 28, new byte[784], new byte[2]));
    }
}
