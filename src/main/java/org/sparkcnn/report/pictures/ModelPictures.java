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

    public static Picture misclassified(List<Misclassified> errors, int rows, int cols, List<String> names) {
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (Misclassified m : errors) {
            float[] values = new float[rows * cols];
            for (int i = 0; i < values.length; i++) {
                values[i] = (m.pixels()[i] & 0xff) / 255f;
            }
            tiles.add(new ImageGrid.Tile(values, String.format(Locale.ROOT, "#%d: %s as %s", m.index(),
                    names.get(m.label()), names.get(m.predicted()))));
        }
        return new Picture("misclassified.png", "Misclassified test images (#index: true label as predicted label)",
                PngEncoder.encode(new ImageGrid(rows, cols, 3, 8).draw(tiles, 0f, 1f, true)));
    }

    /** The 5x5 weights of every first-layer filter, on one shared scale (red-free gray: dark = negative). */
    public static Picture firstLayerFilters(MultiLayerNetwork network) {
        INDArray weights = network.getLayer(0).getParam("W"); // [out, in=1, kh, kw]
        long filters = weights.size(0);
        int kh = (int) weights.size(2);
        int kw = (int) weights.size(3);
        // one input channel: each filter is one row of kh*kw weights
        INDArray rows = weights.dup('c').reshape(filters, kh * kw);
        List<ImageGrid.Tile> tiles = new ArrayList<>();
        for (int f = 0; f < filters; f++) {
            tiles.add(new ImageGrid.Tile(rows.getRow(f).toFloatVector(), Integer.toString(f)));
        }
        float min = weights.minNumber().floatValue();
        float max = weights.maxNumber().floatValue();
        return new Picture("conv1_filters.png", "First convolutional layer: the " + filters + " filters' weights "
                + "(dark = negative, light = positive)",
                PngEncoder.encode(new ImageGrid(kh, kw, 10, 8).draw(tiles, min, max, false)));
    }

    /** The feature maps of the two conv layers (after ReLU) for one image. */
    public static List<Picture> convOutputs(MultiLayerNetwork network, byte[] pixels, int rows, int cols,
                                            int label) {
        float[] input = new float[rows * cols];
        for (int i = 0; i < input.length; i++) {
            input[i] = (pixels[i] & 0xff) / 255f;
        }
        List<INDArray> activations = network.feedForward(Nd4j.create(input, new long[]{1, rows * cols}, 'c')
                .castTo(DataType.FLOAT), false);
        List<Picture> pictures = new ArrayList<>();
        pictures.add(new Picture("conv_input.png", "The test image (label " + label + ") fed to the conv layers",
                PngEncoder.encode(new ImageGrid(rows, cols, 4, 1).draw(
                        List.of(new ImageGrid.Tile(input, "")), 0f, 1f, true))));
        pictures.add(featureMaps(activations.get(1), "conv1_outputs.png", "Outputs of the first conv layer", 4));
        pictures.add(featureMaps(activations.get(3), "conv2_outputs.png", "Outputs of the second conv layer", 4));
        return pictures;
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
                PngEncoder.encode(new ImageGrid(h, w, scale, 8).draw(tiles, 0f,
                        Math.max(1e-6f, activation.maxNumber().floatValue()), false)));
    }
}
