package org.sparkcnn.data;

import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Colour images of other geometries made from MNIST's grey digits, for tests of the network on shapes
 * other than 28x28x1: each digit is centred in a {@code rows x cols} canvas (padded, or cropped at the
 * borders, where MNIST's 28x28 images are blank around their 20x20 digit box), and painted with a
 * foreground and a background colour drawn at random per image, so that colour carries no label.
 */
public final class ColouredDigits {
    /** MNIST's images are 28x28. */
    private static final int SIDE = 28;
    /**
     * The foreground is lighter than the background by at least this much in luma (ITU-R BT.601, 0-255),
     * as MNIST's digits are light on dark: a colour pair is redrawn otherwise (the draw ignores the label).
     * Without it, a digit darker than its background in some channels and lighter in others has to be
     * learned as well: 63 Adam steps of 64 RGB 32x32 images reached 19.6% on 1,000 test images with random
     * polarity (ScratchColourLearn, not kept), far too slow for a test.
     */
    private static final double MIN_CONTRAST = 80;

    private ColouredDigits() {
    }

    /** RGB {@code rows x cols} versions of {@code grey}'s digits, labels unchanged. */
    public static LabeledImages rgb(LabeledImages grey, int rows, int cols, long seed) {
        return paint(grey, rows, cols, 3, seed, IntUnaryOperator.identity());
    }

    /**
     * {@code channels} (1 or 3) versions of {@code grey}'s digits in {@code rows x cols}, with each label
     * mapped by {@code relabel} (to exercise other class counts).
     */
    public static LabeledImages paint(LabeledImages grey, int rows, int cols, int channels, long seed,
                                      IntUnaryOperator relabel) {
        if (grey.rows() != SIDE || grey.cols() != SIDE || grey.channels() != 1) {
            throw new IllegalArgumentException("expected MNIST's 28x28 grey images, got " + grey);
        }
        int plane = rows * cols;
        byte[] pixels = new byte[grey.count() * channels * plane];
        byte[] labels = new byte[grey.count()];
        SplittableRandom random = new SplittableRandom(seed);
        int rowShift = (rows - SIDE) / 2;
        int colShift = (cols - SIDE) / 2;
        int[] foreground = new int[channels];
        int[] background = new int[channels];
        byte[] source = grey.pixels();
        for (int i = 0; i < grey.count(); i++) {
            drawColours(random, foreground, background);
            int image = i * channels * plane;
            for (int r = 0; r < rows; r++) {
                int sr = r - rowShift;
                for (int c = 0; c < cols; c++) {
                    int sc = c - colShift;
                    int ink = sr >= 0 && sr < SIDE && sc >= 0 && sc < SIDE ? source[i * SIDE * SIDE + sr * SIDE + sc] & 0xff : 0;
                    for (int ch = 0; ch < channels; ch++) {
                        // ink 255 is the foreground colour, 0 the background, blended in between
                        pixels[image + ch * plane + r * cols + c] =
                                (byte) ((background[ch] * (255 - ink) + foreground[ch] * ink + 127) / 255);
                    }
                }
            }
            labels[i] = (byte) relabel.applyAsInt(grey.label(i));
        }
        return new LabeledImages(grey.count(), rows, cols, channels, pixels, labels);
    }

    private static void drawColours(SplittableRandom random, int[] foreground, int[] background) {
        do {
            for (int ch = 0; ch < foreground.length; ch++) {
                foreground[ch] = random.nextInt(256);
                background[ch] = random.nextInt(256);
            }
        } while (luma(foreground) - luma(background) < MIN_CONTRAST);
    }

    private static double luma(int[] colour) {
        return colour.length == 1 ? colour[0] : 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2];
    }
}
