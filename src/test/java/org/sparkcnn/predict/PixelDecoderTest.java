package org.sparkcnn.predict;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PixelDecoderTest {
    private final PixelDecoder decoder = new PixelDecoder(2, 2, "img");

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

    @Test
    void rawBytesVectorsAndArraysAreScaled() {
        assertArrayEquals(new float[]{0f, 1f, 128 / 255f, 0f},
                decoder.decode(RowFactory.create(new byte[]{0, (byte) 255, (byte) 128, 0}), 0, 1L), 1e-6f);
        assertArrayEquals(new float[]{0f, 1f, 0.5f, 0f},
                decoder.decode(RowFactory.create(Vectors.dense(0, 255, 127.5, 0)), 0, 1L), 1e-6f);
        assertArrayEquals(new float[]{0f, 1f, 0.5f, 0f},
                decoder.decode(RowFactory.create(Vectors.dense(0, 1, 0.5, 0)), 0, 1L), 1e-6f);
    }

    @Test
    void wrongSizesAreBadInput() throws IOException {
        String size = assertThrows(BadInputException.class, () -> decoder.decode(
                RowFactory.create(png(new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY))), 0, "a.png")).getMessage();
        assertEquals("image a.png is 3x3 pixels: expected 2x2", size);
        String count = assertThrows(BadInputException.class, () -> decoder.decode(
                RowFactory.create(Vectors.dense(1, 2, 3)), 0, 7L)).getMessage();
        assertTrue(count.contains("has 3 values: expected 4"), count);
        assertThrows(BadInputException.class, () -> decoder.decode(RowFactory.create((Object) null), 0, 7L));
    }
}
