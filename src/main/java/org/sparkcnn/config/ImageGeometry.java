package org.sparkcnn.config;

/**
 * The image size the network takes. A value of 0 means "from the data": the first image of a Parquet
 * dataset or image folder (IDX files always have their configured size, checked against their headers).
 *
 * @param rows     image height, 0 = from the first image
 * @param cols     image width, 0 = from the first image
 * @param channels 1 (grey) or 3 (RGB), 0 = from the first image
 * @param resize   false: an image of another size is bad input; true: resized (bilinear) and converted
 *                 between grey and RGB
 */
public record ImageGeometry(int rows, int cols, int channels, boolean resize) {
}
