package org.sparkcnn.data;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.sparkcnn.common.BadInputException;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.List;

/**
 * Turns one image cell of a training or test table into the network's input: channels x rows x cols
 * unsigned bytes, channel-major. A cell is an encoded image (PNG, JPEG, BMP, GIF), raw bytes (exactly
 * channels*rows*cols, as IDX files store them), a numeric array or an ML vector (channel-major, values
 * in [0, 1] or 0-255). Without resize, an image of another size or channel count is bad input, named by
 * its row or file; with resize it is resized (bilinear) and converted between grey and RGB. Training,
 * evaluation and prediction all decode through it, so that a model sees the same pixels in each.
 */
public final class ImageDecoder implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int cols;
    private final int channels;
    private final boolean resize;
    /** What the cells are, for messages: e.g. "column 'image' (data.image-col)". */
    private final String column;
    private final Checks checks;

    /** A decoder of training or test images ({@link Checks#TRAINING}). */
    public ImageDecoder(int rows, int cols, int channels, boolean resize, String column) {
        this(rows, cols, channels, resize, column, Checks.TRAINING);
    }

    public ImageDecoder(int rows, int cols, int channels, boolean resize, String column, Checks checks) {
        this.rows = rows;
        this.cols = cols;
        this.channels = channels;
        this.resize = resize;
        this.column = column;
        this.checks = checks;
    }

    /**
     * What a mismatched image is told its expected geometry comes from, and how to resize: the training
     * settings (data.*) or, when predicting, the model.
     *
     * @param sizeHint     after "expected 28x28": where that size comes from and what resizes
     * @param channelsHint after "expected grey": where that comes from and what converts
     * @param colourAsGrey an RGB image given to a grey geometry is read as its luma (ITU-R BT.601) without
     *                     resize, as the predict command always read colour files for MNIST-like models
     */
    public record Checks(String sizeHint, String channelsHint, boolean colourAsGrey) implements Serializable {
        public static final Checks TRAINING = new Checks(
                "data.image-cols x data.image-rows, or the first training image's size; data.resize=true resizes",
                "data.image-channels, or the first training image's; data.resize=true converts", false);
        public static final Checks PREDICTION = new Checks(
                "the model's size; predict.resize=true or the model's resize param resizes",
                "the model's; predict.resize=true or the model's resize param converts", true);
    }

    /** The geometry of an image cell: what a table's first image says when the settings leave it open. */
    public record Geometry(int rows, int cols, int channels) {
        @Override
        public String toString() {
            return cols + "x" + rows + " " + (channels == 1 ? "grey" : "RGB");
        }
    }

    /** Rejects, before any job runs, a column whose type can never hold an image. */
    public static void checkColumnType(DataType type, String what) {
        boolean ok = type instanceof BinaryType || type.equals(SQLDataTypes.VectorType())
                || (type instanceof ArrayType a && a.elementType() instanceof NumericType);
        if (!ok) {
            throw new BadInputException(what + " has type " + type.simpleString()
                    + ": expected an image as binary (PNG/JPEG/BMP bytes or raw pixels), a numeric array or an ML vector");
        }
    }

    /**
     * The size of the image in {@code row}'s cell {@code index}. An encoded image says it; raw bytes and
     * arrays are taken as square: grey when their length is a square number, else RGB when a third of it is.
     */
    public static Geometry inspect(Row row, int index, String where, String column) {
        Object cell = cellOf(row, index, where, column);
        if (cell instanceof byte[] bytes && !isSquare(bytes.length) && !isSquare(bytes.length / 3)) {
            BufferedImage image = readEncoded(bytes, where, column, (w, h) -> {
                if ((long) w * h > EncodedImages.MAX_PIXELS) {
                    throw new BadInputException(where + ": image is " + w + "x" + h + " pixels: larger than "
                            + EncodedImages.MAX_PIXELS + " pixels");
                }
            });
            return new Geometry(image.getHeight(), image.getWidth(), EncodedImages.isColour(image) ? 3 : 1);
        }
        int length = cell instanceof byte[] bytes ? bytes.length : values(row, index, cell, where).length;
        if (isSquare(length)) {
            int side = (int) Math.round(Math.sqrt(length));
            return new Geometry(side, side, 1);
        }
        if (length % 3 == 0 && isSquare(length / 3)) {
            int side = (int) Math.round(Math.sqrt(length / 3.0));
            return new Geometry(side, side, 3);
        }
        throw new BadInputException(where + ": " + column + " holds " + length + " values: neither a square grey "
                + "image nor a square RGB one; set data.image-rows, data.image-cols and data.image-channels");
    }

    private static boolean isSquare(int n) {
        int side = (int) Math.round(Math.sqrt(n));
        return n > 0 && side * side == n;
    }

    /** The image of {@code row}'s cell {@code index}, {@code where} naming it in messages. */
    public byte[] decode(Row row, int index, String where) {
        Object cell = cellOf(row, index, where, column);
        int size = channels * rows * cols;
        if (cell instanceof byte[] bytes) {
            return bytes.length == size ? bytes : encoded(bytes, where);
        }
        return scaled(values(row, index, cell, where), where);
    }

    private static Object cellOf(Row row, int index, String where, String column) {
        if (row.isNullAt(index)) {
            throw new BadInputException(where + ": " + column + " is null: expected an image");
        }
        return row.get(index);
    }

    private static double[] values(Row row, int index, Object cell, String where) {
        if (cell instanceof Vector v) {
            return v.toArray();
        }
        List<Object> list = row.getList(index);
        double[] array = new double[list.size()];
        for (int i = 0; i < array.length; i++) {
            if (!(list.get(i) instanceof Number number)) {
                throw new BadInputException(where + ": value " + i + " is null: expected a pixel value");
            }
            array[i] = number.doubleValue();
        }
        return array;
    }

    private byte[] scaled(double[] values, String where) {
        int size = channels * rows * cols;
        if (values.length != size) {
            throw new BadInputException(where + ": " + column + " holds " + values.length + " values: expected "
                    + size + " (" + new Geometry(rows, cols, channels) + ", channel-major)");
        }
        double max = 0;
        for (int i = 0; i < values.length; i++) {
            // NaN fails this too: a pixel outside both scales would reach the model as a value it never saw
            if (!(values[i] >= 0 && values[i] <= 255)) {
                throw new BadInputException(where + ": value " + i + " is " + values[i]
                        + ": expected pixel values in [0, 1] or 0-255");
            }
            max = Math.max(max, values[i]);
        }
        double scale = max > 1.0 ? 1.0 : 255.0;
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = (byte) Math.round(values[i] * scale);
        }
        return out;
    }

    private byte[] encoded(byte[] bytes, String where) {
        BufferedImage image = readEncoded(bytes, where, column, (w, h) -> {
            if (!resize && (w != cols || h != rows)) {
                throw new BadInputException(where + ": image is " + w + "x" + h + " pixels: expected " + cols + "x"
                        + rows + " (" + checks.sizeHint() + ")");
            }
            if ((long) w * h > EncodedImages.MAX_PIXELS) {
                throw new BadInputException(where + ": image is " + w + "x" + h + " pixels: larger than "
                        + EncodedImages.MAX_PIXELS + " pixels");
            }
        });
        int found = EncodedImages.isColour(image) ? 3 : 1;
        if (!resize && found != channels && !(checks.colourAsGrey() && channels == 1)) {
            throw new BadInputException(where + ": image is " + (found == 1 ? "grey" : "RGB") + ": expected "
                    + (channels == 1 ? "grey" : "RGB") + " (" + checks.channelsHint() + ")");
        }
        byte[] pixels = EncodedImages.channelMajor(image, found);
        return ImageGeometryFit.fit(pixels, image.getHeight(), image.getWidth(), found, rows, cols, channels);
    }

    private static BufferedImage readEncoded(byte[] bytes, String where, String column, EncodedImages.SizeCheck check) {
        try {
            return EncodedImages.read(bytes, check);
        } catch (EncodedImages.UnreadableImageException e) {
            throw new BadInputException(where + ": " + column + " holds " + bytes.length
                    + " bytes that are not a readable image (PNG, JPEG, BMP, GIF): " + e.getMessage());
        }
    }
}
