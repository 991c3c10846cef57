package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the real MNIST files, gzipped and raw. */
class IdxDatasetReaderTest {
    private static final IdxDatasetReader READER = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST);

    @TempDir
    static Path rawDir;
    private static URI rawImages;
    private static URI rawLabels;

    @BeforeAll
    static void decompressTestSet() {
        rawImages = IdxFiles.write(rawDir.resolve("t10k-images-idx3-ubyte"),
                IdxFiles.gunzip(MnistFixture.file(MnistFixture.TEST_IMAGES))).toUri();
        rawLabels = IdxFiles.write(rawDir.resolve("t10k-labels-idx1-ubyte"),
                IdxFiles.gunzip(MnistFixture.file(MnistFixture.TEST_LABELS))).toUri();
    }

    @Test
    void readsTestSet() {
        LabeledImages test = MnistFixture.testSet();
        assertEquals(10_000, test.count());
        assertEquals(28, test.rows());
        assertEquals(28, test.cols());
        assertEquals(10_000 * 784, test.pixels().length);
        assertEquals(10_000, test.labels().length);
        assertArrayEquals(MnistFixture.TEST_CLASS_COUNTS, test.classCounts(10));
        assertEquals(7, test.label(0)); // the first MNIST test digit is a 7
    }

    @Test
    void readsTrainingSet() {
        LabeledImages train = READER.read(MnistFixture.trainImages(), MnistFixture.trainLabels());
        assertEquals(60_000, train.count());
        assertEquals(60_000 * 784, train.pixels().length);
        assertArrayEquals(MnistFixture.TRAIN_CLASS_COUNTS, train.classCounts(10));
        assertEquals(5, train.label(0)); // the first MNIST training digit is a 5
    }

    @Test
    void inspectMatchesPublishedChecksums() {
        Map<String, String> sums = MnistFixture.sha256Uncompressed();

        DatasetSummary test = READER.inspect(MnistFixture.testImages(), MnistFixture.testLabels());
        assertEquals(10_000, test.count());
        assertEquals(28, test.rows());
        assertEquals(28, test.cols());
        assertEquals(sums.get("t10k-images-idx3-ubyte"), test.imagesSha256());
        assertEquals(sums.get("t10k-labels-idx1-ubyte"), test.labelsSha256());
        assertArrayEquals(MnistFixture.TEST_CLASS_COUNTS, test.classCounts());
        assertEquals(MnistFixture.testImages().toString(), test.imagesUri());
        assertEquals(MnistFixture.testLabels().toString(), test.labelsUri());

        DatasetSummary train = READER.inspect(MnistFixture.trainImages(), MnistFixture.trainLabels());
        assertEquals(60_000, train.count());
        assertEquals(sums.get("train-images-idx3-ubyte"), train.imagesSha256());
        assertEquals(sums.get("train-labels-idx1-ubyte"), train.labelsSha256());
        assertArrayEquals(MnistFixture.TRAIN_CLASS_COUNTS, train.classCounts());
    }

    @Test
    void publishedChecksumsMatchTheDownloaderConstant() {
        assertEquals(MnistFixture.sha256Uncompressed(), MnistDownloader.MNIST_SHA256);
    }

    @Test
    void readRangeEqualsSliceOfFullRead() {
        LabeledImages all = MnistFixture.testSet();
        int[][] ranges = {{0, 1}, {0, 100}, {1234, 567}, {9_900, 100}, {9_999, 1}, {0, 10_000}};
        for (int[] r : ranges) {
            LabeledImages expected = all.slice(r[0], r[1]);
            assertSame(expected, READER.readRange(MnistFixture.testImages(), MnistFixture.testLabels(), r[0], r[1]));
            assertSame(expected, READER.readRange(rawImages, rawLabels, r[0], r[1]));
        }
    }

    @Test
    void imagesAloneMatchTheLabelledRead() {
        LabeledImages all = MnistFixture.testSet();
        assertEquals(10_000, READER.inspectImages(MnistFixture.testImages()));
        assertEquals(10_000, READER.inspectImages(rawImages));
        assertArrayEquals(all.slice(100, 50).pixels(), READER.readImagesRange(MnistFixture.testImages(), 100, 50));
        assertArrayEquals(all.slice(100, 50).pixels(), READER.readImagesRange(rawImages, 100, 50));
        assertArrayEquals(all.slice(9_999, 1).pixels(), READER.readImagesRange(rawImages, 9_999, 1));
        assertArrayEquals(all.pixels(), READER.readImagesRange(MnistFixture.testImages(), 0, 10_000));
    }

    @Test
    void rawFilesReadLikeGzippedOnes() {
        assertSame(MnistFixture.testSet(), READER.read(rawImages, rawLabels));
        DatasetSummary raw = READER.inspect(rawImages, rawLabels);
        Map<String, String> sums = MnistFixture.sha256Uncompressed();
        assertEquals(sums.get("t10k-images-idx3-ubyte"), raw.imagesSha256());
        assertEquals(sums.get("t10k-labels-idx1-ubyte"), raw.labelsSha256());
        assertArrayEquals(MnistFixture.TEST_CLASS_COUNTS, raw.classCounts());
    }

    @Test
    void gzipIsDetectedByContentNotName(@TempDir Path dir) throws Exception {
        // gzipped content under a raw name, raw content under a .gz name
        Path images = Files.copy(MnistFixture.file(MnistFixture.TEST_IMAGES), dir.resolve("images.idx"));
        Path labels = Files.copy(Path.of(rawLabels), dir.resolve("labels.gz"));
        assertSame(MnistFixture.testSet(), READER.read(images.toUri(), labels.toUri()));
    }

    @Test
    void sliceAndClassCounts() {
        LabeledImages all = MnistFixture.testSet();
        LabeledImages s = all.slice(10, 3);
        assertEquals(3, s.count());
        for (int i = 0; i < 3; i++) {
            assertEquals(all.label(10 + i), s.label(i));
        }
        assertEquals(all.pixels()[10 * 784 + 5], s.pixels()[5]);
        int total = 0;
        for (int c : all.slice(0, 500).classCounts(10)) {
            total += c;
        }
        assertEquals(500, total);
        assertTrue(all.slice(0, 0).count() == 0);
    }

    private static void assertSame(LabeledImages expected, LabeledImages actual) {
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.rows(), actual.rows());
        assertEquals(expected.cols(), actual.cols());
        assertArrayEquals(expected.labels(), actual.labels());
        assertArrayEquals(expected.pixels(), actual.pixels());
    }
}
