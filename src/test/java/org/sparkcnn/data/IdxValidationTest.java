package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;

/** Every kind of bad input gives a one-line BadInputException naming the file and the problem. */
class IdxValidationTest {
    private static final int N = 5;
    private static final IdxDatasetReader READER = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST);

    @TempDir
    Path dir;

    private URI file(String name, byte[] content) {
        return IdxFiles.write(dir.resolve(name), content).toUri();
    }

    private URI goodImages() {
        return file("good-images", IdxFiles.images(N));
    }

    private URI goodLabels() {
        return file("good-labels", IdxFiles.labels(N));
    }

    @Test
    void syntheticFilesAreValid() {
        LabeledImages data = READER.read(goodImages(), goodLabels());
        assertEquals(N, data.count());
        assertTrue(Arrays.equals(IdxFiles.pixels(N * 784), data.pixels()));
        assertEquals(N, READER.inspect(goodImages(), goodLabels()).count());
        URI gzImages = file("gz-images", IdxFiles.gzip(IdxFiles.images(N)));
        URI gzLabels = file("gz-labels", IdxFiles.gzip(IdxFiles.labels(N)));
        assertEquals(N, READER.read(gzImages, gzLabels).count());
    }

    @Test
    void missingFile() {
        URI missing = dir.resolve("no-such-file").toUri();
        assertEverywhere(missing, goodLabels(), "no-such-file", "file not found");
        assertBad(() -> READER.read(goodImages(), missing), "no-such-file", "file not found");
        assertBad(() -> READER.inspect(missing, goodLabels()), "no-such-file", "file not found");
        assertBad(() -> READER.readRange(goodImages(), missing, 0, 1), "no-such-file", "file not found");
    }

    @Test
    void directoryInsteadOfFile() {
        assertBad(() -> READER.read(dir.toUri(), goodLabels()), dir.getFileName().toString(), "is a directory");
    }

    @Test
    void unknownScheme() {
        assertBad(() -> READER.read(URI.create("nosuchfs://host/x/images"), goodLabels()), "nosuchfs://host/x/images",
                "no Hadoop FileSystem for scheme 'nosuchfs'");
    }

    @Test
    void labelsFilePassedAsImagesAndViceVersa() {
        assertEverywhere(goodLabels(), goodImages(), "good-labels",
                "not an IDX image file: magic number 0x00000801 (2049) marks an IDX label file, expected 0x00000803"
                        + " (2051, unsigned byte, 3 dimensions); are the images and labels files swapped?");
        URI images = goodImages();
        assertBad(() -> READER.read(images, images), "good-images",
                "not an IDX label file: magic number 0x00000803 (2051) marks an IDX image file, expected 0x00000801"
                        + " (2049, unsigned byte, 1 dimension)");
    }

    @Test
    void wrongMagic() {
        URI images = file("images-0802", IdxFiles.images(0x00000802, N, 28, 28, IdxFiles.pixels(N * 784)));
        assertEverywhere(images, goodLabels(), "images-0802",
                "not an IDX image file: magic number 0x00000802 (data type 0x08, 2 dimensions), expected 0x00000803");
        URI floats = file("images-float", IdxFiles.images(0x00000d03, N, 28, 28, IdxFiles.pixels(N * 784)));
        assertBad(() -> READER.read(floats, goodLabels()), "images-float", "magic number 0x00000d03 (data type 0x0d");
    }

    @Test
    void garbageBytes() {
        URI text = file("readme.txt", "hello, this is not MNIST\n".getBytes());
        assertEverywhere(text, goodLabels(), "readme.txt",
                "neither gzip nor IDX: starts with bytes 68 65 6c 6c, expected gzip magic 1f 8b or IDX magic number");
        URI gzText = file("readme.gz", IdxFiles.gzip("hello, this is not MNIST\n".getBytes()));
        assertBad(() -> READER.read(gzText, goodLabels()), "readme.gz",
                "gzip content is not an IDX file: starts with bytes 68 65 6c 6c");
    }

    @Test
    void emptyFileAndTruncatedHeader() {
        URI empty = file("empty", new byte[0]);
        assertEverywhere(empty, goodLabels(), "empty", "empty file, expected an IDX image file");
        URI oneByte = file("one-byte", new byte[] {0x1f});
        assertBad(() -> READER.read(oneByte, goodLabels()), "one-byte", "neither gzip nor IDX: starts with bytes 1f,");
        URI twoZeros = file("two-zeros", new byte[] {0, 0});
        assertBad(() -> READER.read(twoZeros, goodLabels()), "two-zeros", "truncated header: file ends after 2 bytes");
        URI shortHeader = file("short-header", Arrays.copyOf(IdxFiles.images(N), 10));
        assertEverywhere(shortHeader, goodLabels(), "short-header",
                "truncated header: file ends after 10 bytes, expected 16");
    }

    @Test
    void truncatedImageData() {
        byte[] full = IdxFiles.images(N);
        URI raw = file("short-images", Arrays.copyOf(full, full.length - 100));
        String phrase = "truncated: header declares 5 images of 28x28, so 3936 bytes expected, but the data ends after 3836";
        assertEverywhere(raw, goodLabels(), "short-images", phrase);
        // readRange knows a raw file's length without reading it, even for a range the data covers
        assertBad(() -> READER.readRange(raw, goodLabels(), 0, 1), "short-images", phrase);

        URI gz = file("short-images.gz", IdxFiles.gzip(Arrays.copyOf(full, full.length - 100)));
        String gzPhrase = "truncated: header declares 5 images of 28x28, so 3936 uncompressed bytes expected,"
                + " but the data ends after 3836";
        assertBad(() -> READER.read(gz, goodLabels()), "short-images.gz", gzPhrase);
        assertBad(() -> READER.inspect(gz, goodLabels()), "short-images.gz", gzPhrase);
        assertBad(() -> READER.readRange(gz, goodLabels(), 4, 1), "short-images.gz", gzPhrase);
        assertEquals(1, READER.readRange(gz, goodLabels(), 0, 1).count()); // the range itself is intact
    }

    @Test
    void truncatedLabelData() {
        byte[] full = IdxFiles.labels(N);
        URI labels = file("short-labels", Arrays.copyOf(full, full.length - 2));
        assertEverywhere(goodImages(), labels, "short-labels",
                "truncated: header declares 5 labels, so 13 bytes expected, but the data ends after 11");
    }

    @Test
    void trailingBytes() {
        byte[] extra = {1, 2, 3};
        URI raw = file("long-images", IdxFiles.concat(IdxFiles.images(N), extra));
        String phrase = "trailing data: 3 extra bytes after the 5 images of 28x28 the header declares"
                + " (expected 3936, found 3939)";
        assertEverywhere(raw, goodLabels(), "long-images", phrase);

        URI gz = file("long-labels.gz", IdxFiles.gzip(IdxFiles.concat(IdxFiles.labels(N), extra)));
        String gzPhrase = "trailing data: 3 extra uncompressed bytes after the 5 labels the header declares";
        assertBad(() -> READER.read(goodImages(), gz), "long-labels.gz", gzPhrase);
        assertBad(() -> READER.inspect(goodImages(), gz), "long-labels.gz", gzPhrase);
    }

    @Test
    void mismatchedCounts() {
        URI labels = file("four-labels", IdxFiles.labels(N - 1));
        assertEverywhere(goodImages(), labels, "good-images",
                "has 5 images but " + labels + " has 4 labels, expected the same number");
    }

    @Test
    void labelOutOfRange() {
        byte[] l = {0, 1, 2, 10, 4};
        URI labels = file("label-10", IdxFiles.labels(IdxFiles.LABELS_MAGIC, N, l));
        String phrase = "label at index 3 is 10, expected 0..9";
        assertBad(() -> READER.read(goodImages(), labels), "label-10", phrase);
        assertBad(() -> READER.inspect(goodImages(), labels), "label-10", phrase);
        assertBad(() -> READER.readRange(goodImages(), labels, 2, 3), "label-10", phrase);
        assertEquals(3, READER.readRange(goodImages(), labels, 0, 3).count()); // the bad label is outside
        byte[] high = {0, 1, 2, 3, (byte) 255};
        URI labels255 = file("label-255", IdxFiles.labels(IdxFiles.LABELS_MAGIC, N, high));
        assertBad(() -> READER.read(goodImages(), labels255), "label-255", "label at index 4 is 255");
    }

    @Test
    void wrongImageSize() {
        URI images = file("cifar-like", IdxFiles.images(IdxFiles.IMAGES_MAGIC, N, 32, 32, IdxFiles.pixels(N * 1024)));
        assertEverywhere(images, goodLabels(), "cifar-like", "images are 32x32 pixels, expected 28x28");
    }

    @Test
    void zeroExamples() {
        URI images = file("no-images", IdxFiles.images(IdxFiles.IMAGES_MAGIC, 0, 28, 28, new byte[0]));
        assertEverywhere(images, goodLabels(), "no-images", "declares 0 images, expected at least 1");
        URI labels = file("no-labels", IdxFiles.labels(IdxFiles.LABELS_MAGIC, 0, new byte[0]));
        assertBad(() -> READER.read(goodImages(), labels), "no-labels", "declares 0 labels, expected at least 1");
    }

    @Test
    void corruptGzip() throws Exception {
        byte[] gz = Files.readAllBytes(MnistFixture.file(MnistFixture.TEST_IMAGES));
        byte[] flipped = gz.clone();
        for (int i = 0; i < 64; i++) {
            flipped[gz.length / 2 + i] ^= (byte) 0x5a;
        }
        URI labels = MnistFixture.testLabels();
        URI corrupt = file("corrupt-images.gz", flipped);
        assertBad(() -> READER.read(corrupt, labels), "corrupt-images.gz", "corrupt gzip stream: corrupt data");
        assertBad(() -> READER.inspect(corrupt, labels), "corrupt-images.gz", "corrupt gzip stream: corrupt data");

        URI cut = file("cut-images.gz", Arrays.copyOf(gz, gz.length / 2));
        assertBad(() -> READER.read(cut, labels), "cut-images.gz", "corrupt gzip stream: compressed data ends early");
        assertBad(() -> READER.readRange(cut, labels, 9_000, 10), "cut-images.gz",
                "corrupt gzip stream: compressed data ends early");

        URI headerOnly = file("gzip-header-only.gz", Arrays.copyOf(gz, 5));
        assertBad(() -> READER.read(headerOnly, labels), "gzip-header-only.gz", "corrupt gzip stream");
    }

    @Test
    void readRangeOutOfBounds() {
        assertBad(() -> READER.readRange(goodImages(), goodLabels(), 3, 4), "good-images",
                "range [3, 7) is outside the 5 examples in the file");
        assertBad(() -> READER.readRange(goodImages(), goodLabels(), 5, 1), "good-images",
                "range [5, 6) is outside the 5 examples in the file");
        assertThrows(IllegalArgumentException.class, () -> READER.readRange(goodImages(), goodLabels(), -1, 1));
        assertThrows(IllegalArgumentException.class, () -> READER.readRange(goodImages(), goodLabels(), 0, 0));
    }

    @Test
    void imagesAloneAreValid() {
        assertEquals(N, READER.inspectImages(goodImages()));
        URI gz = file("gz-images", IdxFiles.gzip(IdxFiles.images(N)));
        assertEquals(N, READER.inspectImages(gz));
        byte[] all = IdxFiles.pixels(N * 784);
        assertArrayEquals(Arrays.copyOfRange(all, 784, 4 * 784), READER.readImagesRange(goodImages(), 1, 3));
        assertArrayEquals(Arrays.copyOfRange(all, 784, 4 * 784), READER.readImagesRange(gz, 1, 3));
        assertArrayEquals(all, READER.readImagesRange(goodImages(), 0, N));
    }

    @Test
    void imagesAloneBadInputs() {
        assertImagesBad(dir.resolve("no-such-file").toUri(), "no-such-file", "file not found");
        assertImagesBad(goodLabels(), "good-labels",
                "not an IDX image file: magic number 0x00000801 (2049) marks an IDX label file, expected 0x00000803"
                        + " (2051, unsigned byte, 3 dimensions); are the images and labels files swapped?");
        assertImagesBad(file("readme.txt", "hello, this is not MNIST\n".getBytes()), "readme.txt",
                "neither gzip nor IDX: starts with bytes 68 65 6c 6c");
        assertImagesBad(file("empty", new byte[0]), "empty", "empty file, expected an IDX image file");
        assertImagesBad(file("short-header", Arrays.copyOf(IdxFiles.images(N), 10)), "short-header",
                "truncated header: file ends after 10 bytes, expected 16");
        assertImagesBad(file("cifar-like", IdxFiles.images(IdxFiles.IMAGES_MAGIC, N, 32, 32, IdxFiles.pixels(N * 1024))),
                "cifar-like", "images are 32x32 pixels, expected 28x28");
        assertImagesBad(file("no-images", IdxFiles.images(IdxFiles.IMAGES_MAGIC, 0, 28, 28, new byte[0])),
                "no-images", "declares 0 images, expected at least 1");

        byte[] full = IdxFiles.images(N);
        assertImagesBad(file("short-images", Arrays.copyOf(full, full.length - 100)), "short-images",
                "truncated: header declares 5 images of 28x28, so 3936 bytes expected, but the data ends after 3836");
        assertImagesBad(file("long-images", IdxFiles.concat(full, new byte[] {1, 2, 3})), "long-images",
                "trailing data: 3 extra bytes after the 5 images of 28x28 the header declares"
                        + " (expected 3936, found 3939)");

        // gzip: inspectImages reads everything; readImagesRange only up to the end of the range
        URI shortGz = file("short-images.gz", IdxFiles.gzip(Arrays.copyOf(full, full.length - 100)));
        String gzPhrase = "truncated: header declares 5 images of 28x28, so 3936 uncompressed bytes expected,"
                + " but the data ends after 3836";
        assertBad(() -> READER.inspectImages(shortGz), "short-images.gz", gzPhrase);
        assertBad(() -> READER.readImagesRange(shortGz, 4, 1), "short-images.gz", gzPhrase);
        assertEquals(784, READER.readImagesRange(shortGz, 0, 1).length); // the range itself is intact
        URI longGz = file("long-images.gz", IdxFiles.gzip(IdxFiles.concat(full, new byte[] {1, 2, 3})));
        assertBad(() -> READER.inspectImages(longGz), "long-images.gz",
                "trailing data: 3 extra uncompressed bytes after the 5 images of 28x28 the header declares");
    }

    @Test
    void imagesAloneCorruptGzip() throws Exception {
        byte[] gz = Files.readAllBytes(MnistFixture.file(MnistFixture.TEST_IMAGES));
        byte[] flipped = gz.clone();
        for (int i = 0; i < 64; i++) {
            flipped[gz.length / 2 + i] ^= (byte) 0x5a;
        }
        URI corrupt = file("corrupt-images.gz", flipped);
        assertBad(() -> READER.inspectImages(corrupt), "corrupt-images.gz", "corrupt gzip stream: corrupt data");
        URI cut = file("cut-images.gz", Arrays.copyOf(gz, gz.length / 2));
        assertBad(() -> READER.inspectImages(cut), "cut-images.gz", "corrupt gzip stream: compressed data ends early");
        assertBad(() -> READER.readImagesRange(cut, 9_000, 10), "cut-images.gz",
                "corrupt gzip stream: compressed data ends early");
    }

    @Test
    void readImagesRangeOutOfBounds() {
        assertBad(() -> READER.readImagesRange(goodImages(), 3, 4), "good-images",
                "range [3, 7) is outside the 5 examples in the file");
        assertBad(() -> READER.readImagesRange(goodImages(), 5, 1), "good-images",
                "range [5, 6) is outside the 5 examples in the file");
        assertBad(() -> READER.readImagesRange(goodImages(), Integer.MAX_VALUE, 1), "good-images",
                "range [2147483647, 2147483648) is outside the 5 examples in the file");
        assertThrows(IllegalArgumentException.class, () -> READER.readImagesRange(goodImages(), -1, 1));
        assertThrows(IllegalArgumentException.class, () -> READER.readImagesRange(goodImages(), 0, 0));
    }

    /** The same failure from inspectImages and readImagesRange (of a range inside the declared data). */
    private static void assertImagesBad(URI images, String fileName, String phrase) {
        assertBad(() -> READER.inspectImages(images), fileName, phrase);
        assertBad(() -> READER.readImagesRange(images, 0, 1), fileName, phrase);
    }

    /** The same failure from read, inspect and readRange (of a range inside the declared data). */
    private static void assertEverywhere(URI images, URI labels, String fileName, String phrase) {
        assertBad(() -> READER.read(images, labels), fileName, phrase);
        assertBad(() -> READER.inspect(images, labels), fileName, phrase);
        assertBad(() -> READER.readRange(images, labels, 0, 1), fileName, phrase);
    }

    private static BadInputException assertBad(Executable call, String fileName, String phrase) {
        BadInputException e = assertThrows(BadInputException.class, call);
        String m = e.getMessage();
        assertTrue(m.contains(fileName), () -> "message does not name " + fileName + ": " + m);
        assertTrue(m.contains(phrase), () -> "message lacks '" + phrase + "': " + m);
        assertFalse(m.contains("\n"), () -> "message is not one line: " + m);
        return e;
    }
}
