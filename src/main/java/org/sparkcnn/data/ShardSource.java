package org.sparkcnn.data;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Where a dataset's shards come from: the executors read their own share of it (IDX file ranges, or a
 * table's rows) and keep it as {@link LabeledImages}, one partition per worker. The driver never holds
 * the pixels.
 */
@FunctionalInterface
public interface ShardSource {
    /**
     * @param partitions shards to make (one per training worker)
     * @param keep       the examples kept, by their index in the dataset (the validation split)
     */
    JavaRDD<LabeledImages> load(JavaSparkContext sc, int partitions, ExecutorShards.IndexFilter keep);
}
