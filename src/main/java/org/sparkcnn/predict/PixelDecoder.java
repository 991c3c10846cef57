package org.sparkcnn.predict;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.EncodedImages;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.Serializable;
import java.util.List;

/**
 * Turns one image cell of a DataFrame into the model's input: {@code rows*cols} floats in [0, 1].
 * Accepted cells: an ML vector or a numeric array of {@code rows*cols} values (in [0, 1], or 0-255 when
 * any value exceeds 1), or binary: either {@code rows*cols} raw unsigned bytes (as in IDX files) or an
 * encoded image (PNG, JPEG, BMP, GIF) of {@code rows x cols} pixels, converted to gray. Like MNIST, the
 * model expects light digits on a dark background.
 */
final class PixelDecoder implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int rows;
    private final int cols;
    private final String column;

    PixelDecoder(int rows, int cols, String column) {
        this.rows = rows;
        this.cols = cols;
        this.column = column;
    }

    /** Rejects, before any job runs, a column whose type can never hold an image. */
    static void checkColumnType(StructField field) {
        DataType type = field.dataType();
        boolean ok = type instanceof BinaryType || type.equals(SQLDataTypes.VectorType())
                || (type instanceof ArrayType a && a.elementType() instanceof NumericType);
        if (!ok) {
            throw new BadInputException("column '" + field.name() + "' has type " + type.simpleString()
                    + ": expected an image as a vector, a numeric array or binary (raw bytes or PNG/JPEG)");
        }
    }

    /**
     * @param row   the DataFrame row
     * @param index position of the image column in it
     * @param key   the row's id, for error messages
     */
    float[] decode(org.apache.spark.sql.Row row, int index, Object key) {
        if (row.isNullAt(index)) {
            throw new BadInputException("column '" + column + "' of row " + key + " is null: expected an image");
        }
        Object cell = row.get(index);
        if (cell instanceof Vector v) {
            return scaled(v.toArray(), key);
        }
        if (cell instanceof byte[] bytes) {
            return bytes.length == rows * cols ? raw(bytes) : encoded(bytes, key);
        }
        List<Object> values = row.getList(index);
        double[] array = new double[values.size()];
        for (int i = 0; i < array.length; i++) {
            if (!(values.get(i) instanceof Number number)) {
                throw new BadInputException("column '" + column + "' of row " + key + ": value " + i
                        + " is null: expected a pixel value");
            }
            array[i] = number.doubleValue();
        }
        return scaled(array, key);
    }

    private float[] scaled(double[] values, Object key) {
        if (values.length != rows * cols) {
            throw new BadInputException("column '" + column + "' of row " + key + " has " + values.length
                    + " values: expected " + rows * cols + " (" + rows + "x" + cols + " pixels)");
        }
        double max = 0;
        for (int i = 0; i < values.length; i++) {
            // NaN fails this too: a pixel outside both scales would reach the model as a value it never saw
            if (!(values[i] >= 0 && values[i] <= 255)) {
                throw new BadInputException("column '" + column + "' of row " + key + ": value " + i + " is "
                        + values[i] + ": expected pixel values in [0, 1] or 0-255");
            }
            max = Math.max(max, values[i]);
        }
        double scale = max > 1.0 ? 1.0 / 255.0 : 1.0;
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) (values[i] * scale);
        }
        return out;
    }

    private float[] raw(byte[] bytes) {
        float[] out = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = (bytes[i] & 0xff) / 255f;
        }
        return out;
    }

    /** Decodes an encoded image once its header says it is {@code rows x cols} (see {@link EncodedImages}). */
    private BufferedImage decodeImage(byte[] bytes, Object key) {
        try {
            return EncodedImages.read(bytes, (width, height) -> {
                if (height != rows || width != cols) {
                    throw new BadInputException("image " + key + " is " + width + "x" + height
                            + " pixels: expected " + cols + "x" + rows);
                }
            });
        } catch (EncodedImages.UnreadableImageException e) {
            throw unreadable(bytes, key, e.getMessage());
        }
    }

    private BadInputException unreadable(byte[] bytes, Object key, String why) {
        return new BadInputException("column '" + column + "' of row " + key + ": " + bytes.length
                + " bytes that are neither " + rows * cols + " raw pixels nor a readable image (PNG, JPEG...): " + why);
    }

    /** ITU-R BT.601 luma of an RGB pixel; alpha is ignored. */
    private static double luminance(double red, double green, double blue) {
        return 0.299 * red + 0.587 * green + 0.114 * blue;
    }

    private float[] encoded(byte[] bytes, Object key) {
        BufferedImage image = decodeImage(bytes, key);
        float[] out = new float[rows * cols];
        Raster raster = image.getRaster();
        boolean palette = image.getColorModel() instanceof IndexColorModel;
        int bands = raster.getNumBands();
        double max = (1 << image.getColorModel().getComponentSize(0)) - 1.0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double gray;
                if (palette) {
                    int rgb = image.getRGB(c, r);
                    gray = luminance((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff) / 255.0;
                } else if (bands <= 2) {
                    // read gray samples as stored: getRGB would convert linear gray to sRGB and shift them
                    gray = raster.getSample(c, r, 0) / max;
                } else {
                    gray = luminance(raster.getSample(c, r, 0), raster.getSample(c, r, 1),
                            raster.getSample(c, r, 2)) / max;
                }
                out[r * cols + c] = (float) gray;
            }
        }
        return out;
    }
}
