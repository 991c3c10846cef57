package org.sparkcnn.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.sparkcnn.common.SerializableHadoopConf;

import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Loads an IDX dataset on the executors: the driver sends only (from, count) ranges, each task reads its
 * own range of the files from the Hadoop URI. No 50 MB task closure leaves the driver, and the driver
 * never holds the pixels.
 */
public final class ExecutorShards {
    private ExecutorShards() {
    }

    /**
     * @param count      examples to load (the first {@code count} of the files, already validated)
     * @param partitions number of shards; each becomes one partition
     */
    public static JavaRDD<LabeledImages> load(JavaSparkContext sc, Configuration hadoopConf, URI images, URI labels,
                                              DatasetShape shape, int count, int partitions) {
        return load(sc, hadoopConf, images, labels, shape, count, partitions, IndexFilter.ALL);
    }

    /**
     * Like {@link #load(JavaSparkContext, Configuration, URI, URI, DatasetShape, int, int)}, keeping only the
     * examples whose file index {@code keep} accepts (each task reads its whole range, then selects).
     */
    public static JavaRDD<LabeledImages> load(JavaSparkContext sc, Configuration hadoopConf, URI images, URI labels,
                                              DatasetShape shape, int count, int partitions, IndexFilter keep) {
        List<Range> ranges = split(count, partitions);
        Broadcast<SerializableHadoopConf> conf = sc.broadcast(new SerializableHadoopConf(hadoopConf));
        boolean all = keep == IndexFilter.ALL; // decided here: a deserialised lambda is a new object
        return sc.parallelize(ranges, ranges.size())
                .map(range -> {
                    LabeledImages read = new IdxDatasetReader(conf.value().get(), shape)
                            .readRange(images, labels, range.from(), range.count());
                    return all ? read : read.select(i -> keep.keep(range.from() + i));
                });
    }

    /** Which examples, by their index in the files, a shard keeps. */
    @FunctionalInterface
    public interface IndexFilter extends Serializable {
        IndexFilter ALL = index -> true;

        boolean keep(int index);
    }

    /** Splits [0, count) into {@code parts} contiguous ranges whose sizes differ by at most one. */
    public static List<Range> split(int count, int parts) {
        if (count <= 0) {
            return Collections.emptyList();
        }
        int n = Math.max(1, Math.min(parts, count));
        List<Range> ranges = new ArrayList<>(n);
        int from = 0;
        for (int i = 0; i < n; i++) {
            int size = count / n + (i < count % n ? 1 : 0);
            ranges.add(new Range(from, size));
            from += size;
        }
        return ranges;
    }

    /**
     * Examples [from, from + count) of the files. A class, not a record: RDD elements go through Kryo,
     * which cannot instantiate Java records.
     */
    public static final class Range implements Serializable {
        private final int from;
        private final int count;

        Range(int from, int count) {
            this.from = from;
            this.count = count;
        }

        public int from() {
            return from;
        }

        public int count() {
            return count;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Range r && r.from == from && r.count == count;
        }

        @Override
        public int hashCode() {
            return 31 * from + count;
        }

        @Override
        public String toString() {
            return "[" + from + ", " + (from + count) + ")";
        }
    }
}
