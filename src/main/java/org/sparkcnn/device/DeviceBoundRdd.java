package org.sparkcnn.device;

import org.apache.spark.Partition;
import org.apache.spark.Partitioner;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.Option;
import scala.collection.Iterator;
import scala.reflect.ClassTag;

/**
 * Its parent, computed after {@link TaskDevice#bindCurrentTask()}. A {@code mapPartitions} cannot do this:
 * Spark computes the parent's iterator (and any eager upstream function that creates arrays) before calling
 * the mapping function, so the binding would come too late.
 */
final class DeviceBoundRdd<T> extends RDD<T> {
    private static final long serialVersionUID = 1L;
    private final ClassTag<T> tag;

    DeviceBoundRdd(RDD<T> parent, ClassTag<T> tag) {
        super(parent, tag);
        this.tag = tag;
    }

    @Override
    public Iterator<T> compute(Partition split, TaskContext context) {
        TaskDevice.bindCurrentTask();
        return firstParent(tag).iterator(split, context);
    }

    @Override
    public Partition[] getPartitions() {
        return firstParent(tag).partitions();
    }

    @Override
    public Option<Partitioner> partitioner() {
        return firstParent(tag).partitioner();
    }
}
