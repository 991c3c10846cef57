package org.sparkcnn.predict;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.apache.spark.sql.Row;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.ColouredDigits;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.ImageDecoder;
import org.sparkcnn.data.ImageTableFixture;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MnistFixture;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PixelDecoderTest {
    private static final LabeledImages MNIST = MnistFixture.testSet();
    private final PixelDecoder decoder = new PixelDecoder(new DatasetShape(2, 2, 10), false, "img");

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void grayPngsKeepTheirExactPixelValues() throws IOException {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 64, 128, 255};
        for (int i = 0; i < 4; i++) {
            gray.getRaster().setSample(i % 2, i / 2, 0, values[i]);
        }
        float[] decoded = decoder.decode(RowFactory.create(1L, png(gray)), 1, 1L);
        assertArrayEquals(new float[]{0f, 64 / 255f, 128 / 255f, 1f}, decoded, 1e-6f,
                "no gamma conversion of gray samples");
    }

    @Test
    void rgbPngsBecomeGray() throws IOException {
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(1, 0, 0xffffff);
        float[] decoded = decoder.decode(RowFactory.create(png(rgb)), 0, 1L);
        assertEquals(0f, decoded[0], 1e-6f);
        assertEquals(1f, decoded[1], 1e-3f);
    }

    /**
     * Values in [0, 1], or 0-255 when any exceeds 1. They become unsigned bytes first, as for training (a
     * model sees the 1/255 steps it was trained on: 0.5 would be read as 128/255).
     */
    @Test
    void rawBytesVectorsAndArraysAreScaled() {
        assertArrayEquals(new float[]{0f, 1f, 128 / 255f, 0f},
                decoder.decode(RowFactory.create(new byte[]{0, (byte) 255, (byte) 128, 0}), 0, 1L), 1e-6f);
        assertArrayEquals(new float[]{0f, 1f, 0.2f, 0f},
                decoder.decode(RowFactory.create(Vectors.dense(0, 255, 51, 0)), 0, 1L), 1e-6f);
        assertArrayEquals(new float[]{0f, 1f, 0.2f, 0f},
                decoder.decode(RowFactory.create(Vectors.dense(0, 1, 0.2, 0)), 0, 1L), 1e-6f);
        assertArrayEquals(new float[]{0f, 1f, 128 / 255f, 0f},
                decoder.decode(RowFactory.create(Vectors.dense(0, 1, 0.5, 0)), 0, 1L), 1e-6f);
    }

    @Test
    void wrongSizesAreBadInput() throws IOException {
        String size = assertThrows(BadInputException.class, () -> decoder.decode(
                RowFactory.create(png(new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY))), 0, "a.png")).getMessage();
        assertEquals("row a.png: image is 3x3 pixels: expected 2x2 (the model's size; predict.resize=true or the "
                + "model's resize param resizes)", size);
        String count = assertThrows(BadInputException.class, () -> decoder.decode(
                RowFactory.create(Vectors.dense(1, 2, 3)), 0, 7L)).getMessage();
        assertTrue(count.startsWith("row 7: column 'img' holds 3 values: expected 4 (2x2 grey"), count);
        String none = assertThrows(BadInputException.class,
                () -> decoder.decode(RowFactory.create((Object) null), 0, 7L)).getMessage();
        assertEquals("row 7: column 'img' is null: expected an image", none);
    }

    @Test
    void aGreyImageForAnRgbModelIsBadInputUnlessResized() {
        DatasetShape rgb = new DatasetShape(28, 28, 3, 10);
        byte[] grey = ImageTableFixture.greyPng(MNIST, 0);
        String message = assertThrows(BadInputException.class, () -> new PixelDecoder(rgb, false, "image")
                .decode(RowFactory.create((Object) grey), 0, "d.png")).getMessage();
        assertEquals("row d.png: image is grey: expected RGB (the model's; predict.resize=true or the model's resize "
                + "param converts)", message);
        // resized: the three planes are the grey digit's
        float[] planes = new PixelDecoder(rgb, true, "image").decode(RowFactory.create((Object) grey), 0, "d.png");
        float[] digit = new float[784];
        MinibatchFactory.toIntensities(MNIST.pixels(), 0, digit, 0, 784);
        for (int ch = 0; ch < 3; ch++) {
            assertArrayEquals(digit, Arrays.copyOfRange(planes, ch * 784, (ch + 1) * 784), "plane " + ch);
        }
        // a size other than the model's, resized
        float[] big = new PixelDecoder(new DatasetShape(56, 56, 10), true, "image")
                .decode(RowFactory.create((Object) grey), 0, "d.png");
        assertEquals(56 * 56, big.length);
    }

    /**
     * A colour model sees at prediction exactly the floats it was trained on: ColouredDigits' RGB images as
     * PNGs, decoded by the predict path, equal both the training input of the images themselves
     * (MinibatchFactory, as CnnTrainer feeds them) and the training path's decoding of the same PNGs
     * (ImageDecoder as a Parquet table or image folder is read), channel-major per image.
     */
    @Test
    void rgbPngsGiveThePredictPathTheTrainingFloats() {
        int count = 16;
        LabeledImages rgb = ColouredDigits.rgb(MNIST.slice(0, count), 32, 24, 5);
        float[] trained = new MinibatchFactory(10).toDataSet(rgb).getFeatures().ravel().toFloatVector();
        DatasetShape shape = new DatasetShape(32, 24, 3, 10);
        PixelDecoder predict = new PixelDecoder(shape, false, "image");
        ImageDecoder training = new ImageDecoder(32, 24, 3, false, "column 'image'");
        int size = shape.pixelsPerImage();
        for (int i = 0; i < count; i++) {
            Row row = RowFactory.create((Object) ImageTableFixture.rgbPng(rgb, i));
            float[] predicted = predict.decode(row, 0, i);
            float[] decodedForTraining = new float[size];
            MinibatchFactory.toIntensities(training.decode(row, 0, "row " + i), 0, decodedForTraining, 0, size);
            assertArrayEquals(Arrays.copyOfRange(trained, i * size, (i + 1) * size), predicted, 0f, "image " + i);
            assertArrayEquals(decodedForTraining, predicted, 0f, "image " + i);
        }
        // not a trivial equality: the images are in colour (the planes differ)
        float[] first = predict.decode(RowFactory.create((Object) ImageTableFixture.rgbPng(rgb, 0)), 0, 0);
        int plane = 32 * 24;
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, 0, plane), Arrays.copyOfRange(first, plane, 2 * plane)));
    }
}
