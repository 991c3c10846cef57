package org.sparkcnn.config;

/** How the training and test data are stored; the config value (data.format) is the lower-case name. */
public enum DataFormat {
    /** IDX files (MNIST's format): data.train-images / data.train-labels ... in data.dir. */
    IDX,
    /** A Parquet dataset with an image column and a label column. */
    PARQUET,
    /** A folder with one sub-folder of images per class (Keras' and torchvision's ImageFolder layout). */
    IMAGES
}
