package org.sparkcnn.data;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.fuzz.Fuzz;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the IDX reader from real MNIST bytes: the first 50 test images and labels (headers rewritten to
 * 50), raw or gzipped, with damaged header fields, flipped bits, truncations, trailing bytes and damaged
 * gzip streams, read through every entry point. See {@link Fuzz} for the rule and the system properties.
 */
class IdxReaderFuzzTest {
    private static final int COUNT = 50;
    private static final int PIXELS = 28 * 28;
    private static byte[] images;
    private static byte[] labels;

    @TempDir
    static Path dir;

    @BeforeAll
    static void sample() throws IOException {
        images = prefix(MnistFixture.file(MnistFixture.TEST_IMAGES), 16 + COUNT * PIXELS);
        labels = prefix(MnistFixture.file(MnistFixture.TEST_LABELS), 8 + COUNT);
        ByteBuffer.wrap(images).putInt(4, COUNT);
        ByteBuffer.wrap(labels).putInt(4, COUNT);
    }

    private static byte[] prefix(Path gzipped, int bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gzipped))) {
            return in.readNBytes(bytes);
        }
    }

    @Test
    void theUndamagedSampleReadsAsMnist() {
        IdxDatasetReader reader = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST);
        LabeledImages all = reader.read(write("images", images, true), write("labels", labels, false));
        assertEquals(COUNT, all.count());
        assertArrayEquals(Arrays.copyOfRange(images, 16, images.length), all.pixels());
        // the first test labels of MNIST: 7 2 1 0 4
        assertArrayEquals(new byte[]{7, 2, 1, 0, 4}, Arrays.copyOf(all.labels(), 5));
    }

    @Test
    void damagedFilesReadOrAreRefusedAsBadInput() {
        IdxDatasetReader reader = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST);
        Fuzz.Outcome outcome = Fuzz.run("idx", 10, (random, input) -> {
            byte[] img = damage(random, images.clone(), 16, input.append("images:"));
            byte[] lab = damage(random, labels.clone(), 8, input.append("; labels:"));
            boolean gzipImages = random.nextBoolean();
            boolean gzipLabels = random.nextBoolean();
            input.append(gzipImages ? "; images gzipped" : "").append(gzipLabels ? "; labels gzipped" : "");
            java.net.URI imageFile = write("images", img, gzipImages, random, input);
            java.net.URI labelFile = write("labels", lab, gzipLabels, random, input);
            int from = random.nextInt(COUNT + 2);
            int count = 1 + random.nextInt(COUNT + 2);
            switch (random.nextInt(5)) {
                case 0 -> {
                    LabeledImages read = reader.read(imageFile, labelFile);
                    assertEquals(read.count() * PIXELS, read.pixels().length);
                    assertEquals(read.count(), read.labels().length);
                }
                case 1 -> {
                    DatasetSummary summary = reader.inspect(imageFile, labelFile);
                    assertEquals(summary.count(), Arrays.stream(summary.classCounts()).sum());
                }
                case 2 -> assertEquals(count, reader.readRange(imageFile, labelFile, from, count).count());
                case 3 -> assertTrue(reader.inspectImages(imageFile) >= 1);
                default -> assertEquals(count * PIXELS, reader.readImagesRange(imageFile, from, count).length);
            }
            return input.toString();
        });
        assertTrue(outcome.read() > 0 && outcome.refused() > 0, "the fuzzer reached both outcomes: " + outcome);
    }

    /**
     * Regression (found by the fuzzer): a header declaring 2.7 million images (the most that fit one array)
     * over 50 made {@code read} allocate 2.1 GB before finding the data short: an OutOfMemoryError on a
     * smaller heap. Raw files are now checked against their length first, gzipped ones read as they come.
     */
    @Test
    void aHugeDeclaredCountIsRefusedWithoutAllocatingIt() {
        int huge = (Integer.MAX_VALUE - 8) / PIXELS;
        byte[] img = images.clone();
        ByteBuffer.wrap(img).putInt(4, huge);
        byte[] lab = Arrays.copyOf(labels, 8 + huge);
        ByteBuffer.wrap(lab).putInt(4, huge);
        IdxDatasetReader reader = new IdxDatasetReader(new Configuration(), DatasetShape.MNIST);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (boolean gzip : new boolean[]{false, true}) {
            java.net.URI imageFile = write("images", img, gzip);
            java.net.URI labelFile = write("labels", lab, gzip);
            long before = threads.getCurrentThreadAllocatedBytes();
            String message = assertThrows(BadInputException.class, () -> reader.read(imageFile, labelFile)).getMessage();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(message.contains("truncated"), message);
            // the labels file really holds 2.7 million labels (2.7 MB); the images' 2.1 GB must not be allocated
            assertTrue(allocated < 64L << 20, (gzip ? "gzipped" : "raw") + ": allocated " + allocated + " bytes");
        }
    }

    /** One to three damages: a header field, bit flips, a truncation, trailing bytes, or nothing. */
    private static byte[] damage(SplittableRandom random, byte[] bytes, int headerBytes, StringBuilder input) {
        byte[] out = bytes;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            switch (random.nextInt(6)) {
                case 0 -> {
                    int field = random.nextInt(headerBytes / 4);
                    if (out.length < field * 4 + 4) {
                        continue; // truncated before this field
                    }
                    int value = field == 0 && random.nextBoolean() ? 0x0800 | random.nextInt(256)
                            : Fuzz.edgyInt(random, field == 1 ? COUNT : 28);
                    ByteBuffer.wrap(out).putInt(field * 4, value);
                    input.append(" header field ").append(field).append('=').append(value);
                }
                case 1 -> Fuzz.flipBits(random, out, 0, 1 + random.nextInt(4), input);
                case 2 -> {
                    int length = random.nextInt(out.length + 1);
                    out = Arrays.copyOf(out, length);
                    input.append(" truncated to ").append(length);
                }
                case 3 -> {
                    int extra = 1 + random.nextInt(PIXELS * 2);
                    out = Arrays.copyOf(out, out.length + extra);
                    input.append(" ").append(extra).append(" trailing bytes");
                }
                default -> input.append(" intact");
            }
        }
        return out;
    }

    private static java.net.URI write(String name, byte[] bytes, boolean gzip) {
        return write(name, bytes, gzip, new SplittableRandom(0), new StringBuilder());
    }

    /** Writes the file, gzipped if asked, and then sometimes damages the gzip stream itself. */
    private static java.net.URI write(String name, byte[] bytes, boolean gzip, SplittableRandom random,
                                      StringBuilder input) {
        byte[] stored = gzip ? IdxFiles.gzip(bytes) : bytes;
        if (gzip && random.nextInt(3) == 0) {
            stored = stored.clone();
            if (random.nextBoolean()) {
                Fuzz.flipBits(random, stored, 0, 1 + random.nextInt(3), input.append(" gzip:"));
            } else {
                int length = random.nextInt(stored.length + 1);
                stored = Arrays.copyOf(stored, length);
                input.append(" gzip truncated to ").append(length);
            }
        }
        try {
            Path file = dir.resolve(name);
            Files.write(file, stored);
            return file.toUri();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
