package org.sparkcnn.job;

import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.data.ShardSource;

/**
 * A validated dataset (IDX files, a Parquet dataset or an image folder) and how many of its examples the
 * run uses.
 *
 * @param source  how the executors load their shards of it
 * @param name    the setting and location, for logs and Spark's UI
 * @param summary what validation found (count, checksums of IDX files, class counts)
 * @param used    examples used: all, or the configured limit
 * @param classes the classes by name, in label order
 */
public record PreparedData(ShardSource source, String name, DatasetShape shape, DatasetSummary summary, int used,
                           ClassNames classes) {
}
