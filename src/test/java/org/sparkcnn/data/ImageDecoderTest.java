package org.sparkcnn.data;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {
    private static final LabeledImages MNIST = MnistFixture.testSet();

    private static Row row(Object cell) {
        return RowFactory.create(cell);
    }

    private static byte[] digit(int i) {
        return MNIST.slice(i, 1).pixels();
    }

    @Test
    void aGreyPngDecodesToItsExactPixels() {
        ImageDecoder decoder = new ImageDecoder(28, 28, 1, false, "column 'image'");
        assertArrayEquals(digit(3), decoder.decode(row(ImageTableFixture.greyPng(MNIST, 3)), 0, "row 3"));
        assertEquals(new ImageDecoder.Geometry(28, 28, 1),
                ImageDecoder.inspect(row(ImageTableFixture.greyPng(MNIST, 3)), 0, "row 3", "column 'image'"));
    }

    @Test
    void rawBytesArraysAndVectorsAreChannelMajorPixels() {
        ImageDecoder decoder = new ImageDecoder(28, 28, 1, false, "column 'image'");
        byte[] pixels = digit(0);
        double[] scaled = new double[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            scaled[i] = (pixels[i] & 0xff) / 255.0;
        }
        assertArrayEquals(pixels, decoder.decode(row(pixels), 0, "row 0"));
        assertArrayEquals(pixels, decoder.decode(row(Vectors.dense(scaled)), 0, "row 0"));
        List<Double> list = java.util.Arrays.stream(scaled).map(v -> v * 255).boxed().toList();
        // Spark hands an array column over as a Scala sequence
        assertArrayEquals(pixels, decoder.decode(RowFactory.create(
                scala.collection.JavaConverters.asScalaBuffer(list).toSeq()), 0, "row 0"));
        // a 3x32x32 array says RGB 32x32
        assertEquals(new ImageDecoder.Geometry(32, 32, 3), ImageDecoder.inspect(row(new byte[3 * 32 * 32]), 0, "r", "c"));
    }

    @Test
    void anotherSizeOrColourIsBadInputWithoutResize() {
        ImageDecoder decoder = new ImageDecoder(28, 28, 1, false, "column 'image'");
        byte[] small = ImageTableFixture.png(new BufferedImage(20, 24, BufferedImage.TYPE_BYTE_GRAY));
        BadInputException size = assertThrows(BadInputException.class,
                () -> decoder.decode(row(small), 0, "data.train row 9 (part-0.parquet)"));
        assertTrue(size.getMessage().startsWith("data.train row 9 (part-0.parquet): image is 20x24 pixels: expected 28x28"),
                size.getMessage());
        byte[] colour = ImageTableFixture.rgbPng(ColouredDigits.rgb(MNIST.slice(0, 1), 32, 32, 1), 0);
        BadInputException rgb = assertThrows(BadInputException.class,
                () -> new ImageDecoder(32, 32, 1, false, "the file").decode(row(colour), 0, "f.png"));
        assertTrue(rgb.getMessage().contains("f.png: image is RGB: expected grey"), rgb.getMessage());
        BadInputException broken = assertThrows(BadInputException.class,
                () -> decoder.decode(row(new byte[] {1, 2, 3}), 0, "row 1"));
        assertTrue(broken.getMessage().contains("row 1: column 'image' holds 3 bytes that are not a readable image"),
                broken.getMessage());
    }

    @Test
    void resizeIsBilinearAndConvertsBetweenGreyAndRgb() {
        ImageDecoder toRgb56 = new ImageDecoder(56, 56, 3, true, "column 'image'");
        byte[] big = toRgb56.decode(row(ImageTableFixture.greyPng(MNIST, 5)), 0, "row 5");
        assertEquals(3 * 56 * 56, big.length);
        // the three planes of a grey image are the same
        for (int i = 0; i < 56 * 56; i++) {
            assertEquals(big[i], big[56 * 56 + i]);
            assertEquals(big[i], big[2 * 56 * 56 + i]);
        }
        // twice up then back down by averaging 2x2 blocks is close to the original
        byte[] original = digit(5);
        double error = 0;
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                double mean = 0;
                for (int k = 0; k < 4; k++) {
                    mean += big[(2 * r + k / 2) * 56 + 2 * c + k % 2] & 0xff;
                }
                error += Math.abs(mean / 4 - (original[r * 28 + c] & 0xff));
            }
        }
        assertTrue(error / 784 < 6, "mean absolute error " + error / 784);
        // RGB to grey: luma
        byte[] grey = new ImageDecoder(32, 32, 1, true, "c").decode(row(ImageTableFixture.rgbPng(ColouredDigits.rgb(MNIST.slice(0, 1), 32, 32, 1), 0)), 0, "r");
        assertEquals(32 * 32, grey.length);
    }

    @Test
    void classNamesSortStringsAsStringsAndIntegersAsNumbers() {
        assertEquals(List.of("eight", "five", "four", "nine", "one", "seven", "six", "three", "two", "zero"),
                ClassNames.of(ImageTableFixture.NAMES).names());
        assertEquals(List.of("2", "10", "100"), ClassNames.of(List.of(100L, 2, 10)).names());
        assertEquals(1, ClassNames.of(List.of(100L, 2, 10)).indexOf("10").orElseThrow());
    }
}
