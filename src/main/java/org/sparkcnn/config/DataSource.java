package org.sparkcnn.config;

import java.net.URI;
import java.util.Optional;

/**
 * Where the training and test data of a Parquet or image-folder run come from (the IDX files have their
 * own keys in {@link DataConfig}).
 *
 * @param format   how the data is stored
 * @param train    parquet/images: the training dataset or folder
 * @param test     parquet/images: the test dataset or folder
 * @param imageCol parquet: the image column (encoded image bytes, raw bytes, a numeric array or an ML vector)
 * @param labelCol parquet: the label column (an integer class or a string class name)
 */
public record DataSource(DataFormat format, Optional<URI> train, Optional<URI> test, String imageCol,
                         String labelCol) {

    /** Whether the data is a table of images (Parquet or a folder tree) rather than IDX files. */
    public boolean isTable() {
        return format != DataFormat.IDX;
    }
}
