package org.sparkcnn.report.pictures;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkcnn.eval.Misclassified;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pictures of what the model does, after the seed notebooks: misclassified test images with their true
 * and predicted labels (plot_example_errors), the first conv layer's filters (plot_conv_weights), and
 * the outputs of both conv layers for one test image (plot_conv_layer).
 */
public final class ModelPictures {
    private ModelPictures() {
    }

    /**
     * The images as they are: grey ones as ink on paper (MNIST's light digits on black shown dark on
     * white), colour ones in their own colours, each with its true and predicted class names.
     *
     * @param channels 1 (grey) or 3 (RGB); each image's pixels channel-major
     * @param names    the classes' names in label order
     */
    public static Picture misclassified(List<Misclassified> errors, int rows, int cols, int channels,
                                        List<String> names) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (Misclassified m : errors) {
            tiles.add(new ImageGrid.Tile(intensities(m.pixels(), channels * rows * cols), String.format(Locale.ROOT,
                    "#%d: %s as %s", m.index(), names.get(m.label()), names.get(m.predicted()))));
        }
        return new Picture("misclassified.png", "Misclassified test images (#index: true label as predicted label)",
                PngEncoder.encode(new ImageGrid(rows, cols, channels, 3, 8).draw(tiles, 0f, 1f, channels == 1)));
    }

    /**
     * The weights of every first-layer filter. A grey input's filters are 5x5 grey patches on one shared
     * scale (dark = negative, light = positive). An RGB input's filters are 5x5x3: each is one colour
     * patch, its red, green and blue weights as the patch's red, green and blue, on one scale symmetric
     * around zero, so a weight of 0 in every channel is mid grey and a filter that responds to, say, red
     * strokes on green shows red on green.
     */
    public static Picture firstLayerFilters(MultiLayerNetwork network) {
        INDArray weights = network.getLayer(0).getParam("W"); // [out, in, kh, kw]
        long filters = weights.size(0);
        int channels = (int) weights.size(1);
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        // each filter is one row of in*kh*kw weights, channel-major as the tiles take them
        INDArray rows = weights.dup('c').reshape(filters, (long) channels * kh * kw);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int f = 0; f < filters; f++) {
            tiles.add(new ImageGrid.Tile(rows.getRow(f).toFloatVector(), Integer.toString(f)));
        }
        float min = weights.minNumber().floatValue();
        float max = weights.maxNumber().floatValue();
        String title;
        if (channels == 1) {
            title = "First convolutional layer: the " + filters + " filters' weights (dark = negative, light = positive)";
        } else {
            float bound = Math.max(Math.abs(min), Math.abs(max));
            min = -bound;
            max = bound;
            title = "First convolutional layer: the " + filters + " filters' " + kh + "x" + kw + "x" + channels
                    + " weights as colour patches (per channel: dark = negative, bright = positive; grey = 0)";
        }
        return new Picture("conv1_filters.png", title,
                PngEncoder.encode(new ImageGrid(kh, kw, channels, 10, 8).draw(tiles, min, max, false)));
    }

    /**
     * The feature maps of the two conv layers (after ReLU) for one image.
     *
     * @param pixels   the image, channel-major
     * @param channels 1 (grey) or 3 (RGB)
     */
    public static List<Picture> convOutputs(MultiLayerNetwork network, byte[] pixels, int rows, int cols, int channels,
                                            int label) {
        float[] input = intensities(pixels, channels * rows * cols);
        List<INDArray> activations = network.feedForward(Nd4j.create(input, new long[]{1, input.length}, 'c')
                .castTo(DataType.FLOAT), false);
        List<Picture> pictures = new ArrayList<>();
        pictures.add(new Picture("conv_input.png", "The test image (label " + label + ") fed to the conv layers",
                PngEncoder.encode(new ImageGrid(rows, cols, channels, 4, 1).draw(
                        List.of(new ImageGrid.Tile(input, "")), 0f, 1f, channels == 1))));
        pictures.add(featureMaps(activations.get(1), "conv1_outputs.png", "Outputs of the first conv layer", 4));
        pictures.add(featureMaps(activations.get(3), "conv2_outputs.png", "Outputs of the second conv layer", 4));
        return pictures;
    }

    /** The first {@code n} unsigned bytes as intensities in [0, 1]. */
    private static float[] intensities(byte[] pixels, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (pixels[i] & 0xff) / 255f;
        }
        return values;
    }

    private static Picture featureMaps(INDArray activation, String file, String title, int scale) {
        // [1, channels, h, w]
        int channels = (int) activation.size(1);
        int h = (int) activation.size(2);
        int w = (int) activation.size(3);
        INDArray maps = activation.dup('c').reshape(channels, h * w);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            tiles.add(new ImageGrid.Tile(maps.getRow(c).toFloatVector(), ""));
        }
        return new Picture(file, title + " (" + channels + " maps of " + h + "x" + w + ", light = strong)",
                PngEncoder.encode(new ImageGrid(h, w, 1, scale, 8).draw(tiles, 0f,
                        Math.max(1e-6f, activation.maxNumber().floatValue()), false)));
    }
}
