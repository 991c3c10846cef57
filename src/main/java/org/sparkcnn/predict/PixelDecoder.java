package org.sparkcnn.predict;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.ImageDecoder;
import org.sparkcnn.data.MinibatchFactory;

import java.io.Serializable;

/**
 * One image cell of a DataFrame as the model's input, decoded as training decodes it: {@link ImageDecoder}'s
 * channel-major pixels (PNG/JPEG/BMP/GIF bytes, raw bytes, a numeric array or an ML vector, values in [0, 1]
 * or 0-255), then {@link MinibatchFactory}'s intensities, so that a model sees at prediction exactly the
 * floats it was trained on. A grey model reads an RGB image as its luma ({@link ImageDecoder.Checks#PREDICTION});
 * another size, or a grey image for an RGB model, is bad input unless resize is asked.
 */
final class PixelDecoder implements Serializable {
    private static final long serialVersionUID = 2L;
    private final ImageDecoder images;
    private final int size;

    PixelDecoder(DatasetShape shape, boolean resize, String column) {
        this.images = new ImageDecoder(shape.rows(), shape.cols(), shape.channels(), resize, "column '" + column + "'",
                ImageDecoder.Checks.PREDICTION);
        this.size = shape.pixelsPerImage();
    }

    /** Rejects, before any job runs, a column whose type can never hold an image. */
    static void checkColumnType(StructField field) {
        ImageDecoder.checkColumnType(field.dataType(), "column '" + field.name() + "'");
    }

    /**
     * Decodes {@code row}'s cell {@code index} into {@code out} from {@code offset} (channels*rows*cols floats).
     *
     * @param key the row's id (or file), for error messages
     */
    void decode(Row row, int index, Object key, float[] out, int offset) {
        byte[] pixels = images.decode(row, index, "row " + key);
        MinibatchFactory.toIntensities(pixels, 0, out, offset, size);
    }

    /** The image of {@code row}'s cell {@code index} alone. */
    float[] decode(Row row, int index, Object key) {
        float[] out = new float[size];
        decode(row, index, key, out, 0);
        return out;
    }
}
