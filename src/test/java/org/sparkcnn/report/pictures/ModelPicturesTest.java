package org.sparkcnn.report.pictures;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.Optimizer;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.eval.Misclassified;
import org.sparkcnn.model.CnnArchitecture;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's pictures of images and filters: colour images in colour, grey ones as before. */
class ModelPicturesTest {
    private static final ModelConfig MODEL = new ModelConfig(7, Optimizer.ADAM, 1e-3, 0.9, 0, 0.4, 1.0);
    /** Where the first tile's first pixel is drawn: the grid's 6-pixel gap, then 3 screen pixels per pixel. */
    private static final int FIRST_PIXEL = 6 + 1;

    @Test
    void colourImagesAreShownInTheirColours() throws IOException {
        // a 4x5 RGB image, channel-major: all red except the first pixel, which is blue
        int plane = 4 * 5;
        byte[] pixels = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            pixels[i] = (byte) 255;
        }
        pixels[0] = 0;
        pixels[2 * plane] = (byte) 255;
        BufferedImage picture = misclassified(pixels, 3);
        assertEquals(0x0000ff, picture.getRGB(FIRST_PIXEL, FIRST_PIXEL) & 0xffffff, "the blue pixel");
        assertEquals(0xff0000, picture.getRGB(FIRST_PIXEL + 3, FIRST_PIXEL) & 0xffffff, "a red pixel");
    }

    @Test
    void greyImagesAreStillInkOnPaper() throws IOException {
        byte[] pixels = new byte[4 * 5];
        pixels[1] = (byte) 255;
        BufferedImage picture = misclassified(pixels, 1);
        assertEquals(0xffffff, picture.getRGB(FIRST_PIXEL, FIRST_PIXEL) & 0xffffff, "no ink: white paper");
        assertEquals(0x000000, picture.getRGB(FIRST_PIXEL + 3, FIRST_PIXEL) & 0xffffff, "full ink: black");
    }

    /** The misclassified-images picture of one 4x5 image. */
    private static BufferedImage misclassified(byte[] pixels, int channels) throws IOException {
        return read(ModelPictures.misclassified(List.of(new Misclassified(3, 1, 2, 0.9, pixels)), 4, 5, channels,
                List.of("zero", "one", "two")));
    }

    /** An RGB input's 32 filters are 5x5x3: one colour patch each, zero weights mid grey. */
    @Test
    void anRgbInputsFiltersAreColourPatches() throws IOException {
        MultiLayerNetwork network = new MultiLayerNetwork(CnnArchitecture.build(MODEL, new DatasetShape(8, 8, 3, 4)));
        network.init();
        Picture filters = ModelPictures.firstLayerFilters(network);
        assertTrue(filters.title().contains("5x5x3 weights as colour patches"), filters.title());
        // filter 0's first weight in each channel, as the patch's first pixel (10 screen pixels per weight)
        float[] w = network.getLayer(0).getParam("W").dup('c').reshape(32, 75).getRow(0).toFloatVector();
        BufferedImage picture = read(filters);
        int rgb = picture.getRGB(6 + 2, 6 + 2);
        float bound = Math.max(Math.abs(network.getLayer(0).getParam("W").minNumber().floatValue()),
                Math.abs(network.getLayer(0).getParam("W").maxNumber().floatValue()));
        int[] expected = new int[3];
        for (int c = 0; c < 3; c++) {
            expected[c] = Math.round((w[c * 25] + bound) / (2 * bound) * 255f);
        }
        assertEquals(expected[0], (rgb >> 16) & 0xff, "red: the red channel's weight");
        assertEquals(expected[1], (rgb >> 8) & 0xff, "green: the green channel's weight");
        assertEquals(expected[2], rgb & 0xff, "blue: the blue channel's weight");

        // and the conv-layer pictures take the colour image
        byte[] image = new byte[3 * 8 * 8];
        List<Picture> outputs = ModelPictures.convOutputs(network, image, 8, 8, 3, 1);
        assertEquals(List.of("conv_input.png", "conv1_outputs.png", "conv2_outputs.png"),
                outputs.stream().map(Picture::fileName).toList());
    }

    private static BufferedImage read(Picture picture) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(picture.png()));
    }
}
