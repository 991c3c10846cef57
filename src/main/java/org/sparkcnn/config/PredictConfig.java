package org.sparkcnn.config;

import java.net.URI;
import java.util.Optional;

/**
 * What the predict command scores.
 *
 * @param model       the saved model
 * @param format      how the input is stored
 * @param input       the images to score
 * @param labels      IDX only: matching labels, for a label column and the accuracy
 * @param featuresCol Parquet only: the image column
 * @param idCol       Parquet only: the id column copied to the output
 * @param batchSize   images per forward pass
 * @param resize      parquet/images only: resize (bilinear) an image of another size than the model's and
 *                    convert between grey and RGB; false: such an image is bad input
 */
public record PredictConfig(Optional<URI> model, InputFormat format, Optional<URI> input, Optional<URI> labels,
                            String featuresCol, String idCol, int batchSize, boolean resize) {

    /** The input formats predict reads; the config value is the lower-case name. */
    public enum InputFormat {
        IDX, PARQUET, IMAGES
    }
}
