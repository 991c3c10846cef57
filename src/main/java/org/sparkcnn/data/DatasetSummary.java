package org.sparkcnn.data;

import java.util.Arrays;

/**
 * What {@link IdxDatasetReader#inspect} found in an images/labels file pair: enough to log, to put in a run
 * report and to compare with published checksums, without keeping the pixels.
 *
 * @param imagesUri     the images file (credentials removed)
 * @param labelsUri     the labels file (credentials removed)
 * @param count         number of examples
 * @param rows          image height
 * @param cols          image width
 * @param imagesSha256  hex SHA-256 of the uncompressed images file (comparable with SHA256SUMS.uncompressed)
 * @param labelsSha256  hex SHA-256 of the uncompressed labels file
 * @param classCounts   examples per label 0..numClasses-1
 */
public record DatasetSummary(String imagesUri, String labelsUri, int count, int rows, int cols,
                             String imagesSha256, String labelsSha256, int[] classCounts) {

    public DatasetSummary {
        classCounts = classCounts.clone();
    }

    /** A copy, so the record stays immutable. */
    @Override
    public int[] classCounts() {
        return classCounts.clone();
    }

    // records compare arrays by reference; compare class counts by content instead
    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetSummary s && count == s.count && rows == s.rows && cols == s.cols
                && imagesUri.equals(s.imagesUri) && labelsUri.equals(s.labelsUri)
                && imagesSha256.equals(s.imagesSha256) && labelsSha256.equals(s.labelsSha256)
                && Arrays.equals(classCounts, s.classCounts);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(imagesUri, labelsUri, count, rows, cols, imagesSha256, labelsSha256)
                + Arrays.hashCode(classCounts);
    }

    @Override
    public String toString() {
        return "DatasetSummary[" + count + " x " + rows + "x" + cols + ", images=" + imagesUri + " (sha256 "
                + imagesSha256 + "), labels=" + labelsUri + " (sha256 " + labelsSha256 + "), classCounts="
                + Arrays.toString(classCounts) + "]";
    }
}
