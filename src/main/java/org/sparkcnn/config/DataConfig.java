package org.sparkcnn.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where the IDX files are and what they must look like.
 *
 * @param trainImages   resolved URI of the training images
 * @param trainLabels   resolved URI of the training labels
 * @param testImages    resolved URI of the test images
 * @param testLabels    resolved URI of the test labels
 * @param dir           the data folder (download target)
 * @param imageRows     rows every image must have
 * @param imageCols     columns every image must have
 * @param numClasses    labels must be in [0, numClasses)
 * @param download      fetch MNIST into {@code dir} when files are missing
 * @param mirrors       base URLs to download from, tried in order
 * @param downloadTimeout per-request timeout of a download
 * @param trainLimit    use only the first N training examples (0 = all)
 * @param testLimit     use only the first N test examples (0 = all)
 * @param validationSize training examples (after trainLimit) held out as the validation set, chosen from
 *                       the seed; 0 = no validation set (the training curves then use the test set)
 */
public record DataConfig(URI trainImages, URI trainLabels, URI testImages, URI testLabels, URI dir,
                         int imageRows, int imageCols, int numClasses, boolean download, List<URI> mirrors,
                         Duration downloadTimeout, int trainLimit, int testLimit,
                         int validationSize) {
    public DataConfig {
        mirrors = List.copyOf(mirrors);
    }
}
