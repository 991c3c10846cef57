package org.sparkcnn.job;

import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.DatasetSummary;

import java.net.URI;

/**
 * A validated image/label file pair and how many of its examples the run uses.
 *
 * @param summary what validation found (count, checksums, class counts)
 * @param used    examples used: all, or the configured limit
 */
public record PreparedData(URI images, URI labels, DatasetShape shape, DatasetSummary summary, int used) {
}
