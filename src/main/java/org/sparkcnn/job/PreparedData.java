package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkcnn.data.ClassNames;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.data.ExecutorShards;
import org.sparkcnn.data.LabeledImages;
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
    private static final Logger LOG = LoggerFactory.getLogger(PreparedData.class);

    /**
     * The examples of the dataset {@code keep} accepts, as cached shards on the executors, loaded now: a
     * row that cannot be decoded is bad input found before training starts. Kept serialised, in memory
     * and spilled to disk when memory runs short: shards are blocks of unsigned bytes (a quarter of their
     * float size), so a training set larger than the executors' memory still trains (docs/data-formats.md).
     */
    public JavaRDD<LabeledImages> shards(JavaSparkContext sc, int partitions, ExecutorShards.IndexFilter keep) {
        JavaRDD<LabeledImages> shards = source.load(sc, partitions, keep).persist(StorageLevel.MEMORY_AND_DISK_SER());
        shards.setName("shards of " + name);
        long start = System.nanoTime();
        long blocks = shards.count();
        LOG.info("Loaded {} in {} partitions ({} blocks) in {} ms", name, shards.getNumPartitions(), blocks,
                (System.nanoTime() - start) / 1_000_000);
        return shards;
    }
}
