package org.sparkcnn.predict;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.IdxDatasetReader;
import org.sparkcnn.data.MnistFixture;
import org.sparkcnn.fuzz.Fuzz;
import scala.collection.JavaConverters;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the image decoder behind {@code predict} (a Parquet image column's cells, and each file of an
 * image folder, which arrives as binary): raw bytes of any length, MNIST digits encoded as PNG, JPEG, BMP
 * and GIF then damaged (bit flips, truncation, a PNG header declaring another size), numeric arrays and ML
 * vectors of any size with any values, nulls inside arrays. See {@link Fuzz} for the rule.
 */
class PixelDecoderFuzzTest {
    private static final int SIDE = 28;
    private static final String[] FORMATS = {"png", "jpeg", "bmp", "gif"};
    private static final List<byte[]> ENCODED = new ArrayList<>();
    private static byte[] digits;
    private final PixelDecoder decoder = new PixelDecoder(new DatasetShape(SIDE, SIDE, 10), false, "image");

    @BeforeAll
    static void encodeRealDigits() throws IOException {
        IdxDatasetReader reader = new IdxDatasetReader(new org.apache.hadoop.conf.Configuration(), DatasetShape.MNIST);
        digits = reader.readImagesRange(MnistFixture.testImages(), 0, 8);
        for (int i = 0; i < 8; i++) {
            int size = i < 6 ? SIDE : 1 + i * 13; // and two of other sizes
            BufferedImage image = new BufferedImage(size, size, i % 2 == 0 ? BufferedImage.TYPE_BYTE_GRAY
                    : BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < SIDE * SIDE && p / SIDE < size && p % SIDE < size; p++) {
                int v = digits[i * SIDE * SIDE + p] & 0xff;
                image.setRGB(p % SIDE, p / SIDE, v << 16 | v << 8 | v);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertTrue(ImageIO.write(image, FORMATS[i % FORMATS.length], out), FORMATS[i % FORMATS.length]);
            ENCODED.add(out.toByteArray());
        }
    }

    @Test
    void cellsDecodeOrAreRefusedAsBadInput() {
        assertDecodedOrRefused("pixels", 10, decoder, SIDE * SIDE);
    }

    /** The same cells for an RGB model, resizing or not (the PNGs of other sizes, grey images). */
    @Test
    void cellsForAnRgbModelDecodeOrAreRefusedAsBadInput() {
        DatasetShape rgb = new DatasetShape(SIDE, SIDE, 3, 10);
        assertDecodedOrRefused("rgb-pixels", 5, new PixelDecoder(rgb, false, "image"), 3 * SIDE * SIDE);
        assertDecodedOrRefused("rgb-resized-pixels", 5, new PixelDecoder(rgb, true, "image"), 3 * SIDE * SIDE);
    }

    private static void assertDecodedOrRefused(String target, int seconds, PixelDecoder decoder, int size) {
        Fuzz.Outcome outcome = Fuzz.run(target, seconds, (random, input) -> {
            Row row = RowFactory.create(cell(random, input));
            float[] pixels = decoder.decode(row, 0, "row-1");
            assertEquals(size, pixels.length);
            for (float p : pixels) {
                assertTrue(p >= 0f && p <= 1f, "pixel " + p + " outside [0, 1]");
            }
            return input.toString();
        });
        assertTrue(outcome.read() > 0 && outcome.refused() > 0, "the fuzzer reached both outcomes: " + outcome);
    }

    /**
     * Regression (found by the fuzzer): a PNG whose header declares 50,000 x 50,000 pixels made ImageIO
     * allocate the whole raster (an OutOfMemoryError or NegativeArraySizeException) before the size check.
     */
    @Test
    void anImageDeclaringHugeDimensionsIsRefusedBeforeDecoding() {
        byte[] png = withPngSize(ENCODED.get(0), 50_000, 50_000);
        String message = assertThrows(BadInputException.class,
                () -> decoder.decode(RowFactory.create((Object) png), 0, "huge.png")).getMessage();
        assertTrue(message.contains("50000x50000"), message);
    }

    /** Regression (found by the fuzzer): a numeric array with a null element. */
    @Test
    void aNullInsideANumericArrayIsBadInput() {
        List<Object> values = new ArrayList<>(java.util.Collections.nCopies(SIDE * SIDE, (Object) 0.5));
        values.set(17, null);
        String message = assertThrows(BadInputException.class,
                () -> decoder.decode(RowFactory.create(seq(values)), 0, 3L)).getMessage();
        assertTrue(message.contains("value 17 is null"), message);
    }

    private static Object cell(SplittableRandom random, StringBuilder input) {
        switch (random.nextInt(6)) {
            case 0 -> {
                int length = random.nextBoolean() ? SIDE * SIDE : random.nextInt(3 * SIDE * SIDE);
                byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                input.append(length).append(" random bytes");
                return bytes;
            }
            case 1, 2 -> {
                int which = random.nextInt(ENCODED.size());
                byte[] bytes = ENCODED.get(which).clone();
                input.append(FORMATS[which % FORMATS.length]).append(" #").append(which);
                if (which % FORMATS.length == 0 && random.nextInt(4) == 0) {
                    int width = Fuzz.edgyInt(random, SIDE);
                    int height = Fuzz.edgyInt(random, SIDE);
                    bytes = withPngSize(bytes, width, height);
                    input.append(" declared ").append(width).append('x').append(height);
                }
                switch (random.nextInt(3)) {
                    case 0 -> Fuzz.flipBits(random, bytes, 0, 1 + random.nextInt(8), input);
                    case 1 -> {
                        int length = random.nextInt(bytes.length + 1);
                        bytes = Arrays.copyOf(bytes, length);
                        input.append(" truncated to ").append(length);
                    }
                    default -> input.append(" intact");
                }
                return bytes;
            }
            case 3 -> {
                double[] values = values(random, input);
                boolean sparse = random.nextBoolean();
                input.append(sparse ? " as a sparse vector" : " as a dense vector");
                return sparse ? Vectors.dense(values).toSparse() : Vectors.dense(values);
            }
            default -> {
                double[] values = values(random, input);
                List<Object> list = new ArrayList<>();
                int type = random.nextInt(4);
                for (double v : values) {
                    list.add(switch (type) {
                        case 0 -> v;
                        case 1 -> (float) v;
                        case 2 -> (int) v;
                        default -> (long) v;
                    });
                }
                if (!list.isEmpty() && random.nextInt(10) == 0) {
                    int at = random.nextInt(list.size());
                    list.set(at, null);
                    input.append(" null at ").append(at);
                }
                input.append(" as an array of ").append(new String[]{"double", "float", "int", "long"}[type]);
                return seq(list);
            }
        }
    }

    /** As Spark hands an array cell to a Row: a Scala Seq. */
    private static Object seq(List<Object> values) {
        return JavaConverters.asScalaBufferConverter(values).asScala().toSeq();
    }

    /** Pixel values: a real digit's (0-255 or 0-1), random, or with NaN, infinities and negatives. */
    private static double[] values(SplittableRandom random, StringBuilder input) {
        int length = random.nextInt(4) > 0 ? SIDE * SIDE : random.nextInt(2 * SIDE * SIDE);
        double[] values = new double[length];
        int kind = random.nextInt(4);
        for (int i = 0; i < length; i++) {
            double digit = digits[i % (SIDE * SIDE)] & 0xff;
            values[i] = switch (kind) {
                case 0 -> digit;
                case 1 -> digit / 255.0;
                case 2 -> random.nextDouble(-10, 300);
                default -> new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1e300, 1e300,
                        digit}[random.nextInt(6)];
            };
        }
        input.append(length).append(" values of kind ").append(kind);
        return values;
    }

    /** The PNG with its IHDR width and height replaced (and the chunk's CRC fixed, so readers trust it). */
    private static byte[] withPngSize(byte[] png, int width, int height) {
        byte[] out = png.clone();
        ByteBuffer buffer = ByteBuffer.wrap(out);
        // signature (8), IHDR length (4), "IHDR" (4), width, height, 5 more bytes, then the CRC of type + data
        buffer.putInt(16, width).putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(out, 12, 4 + 13);
        buffer.putInt(29, (int) crc.getValue());
        return out;
    }
}
