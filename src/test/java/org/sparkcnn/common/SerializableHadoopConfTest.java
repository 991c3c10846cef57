package org.sparkcnn.common;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.sparkcnn.train.TrainingEngines;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Hadoop configuration reaches executors through a broadcast, which Spark serializes with the
 * configured serializer: Kryo in sparkcnn (with nd4j's registrator where the jar has dl4j-spark's engine),
 * Java serialization otherwise.
 */
class SerializableHadoopConfTest {
    private static final ClassTag<SerializableHadoopConf> TAG = ClassTag$.MODULE$.apply(SerializableHadoopConf.class);

    private static Configuration roundTrip(SerializerInstance serializer) {
        Configuration conf = new Configuration(false);
        conf.set("fs.defaultFS", "hdfs://namenode:8020");
        conf.set("dfs.replication", "1");
        SerializableHadoopConf copy = serializer.deserialize(serializer.serialize(new SerializableHadoopConf(conf), TAG), TAG);
        return copy.get();
    }

    @Test
    void survivesKryoAsSparkCnnConfiguresIt() {
        SparkConf conf = new SparkConf(false);
        TrainingEngines.configure(conf);
        Configuration copy = roundTrip(new KryoSerializer(conf).newInstance());
        assertEquals("hdfs://namenode:8020", copy.get("fs.defaultFS"));
        assertEquals("1", copy.get("dfs.replication"));
    }

    @Test
    void survivesJavaSerialization() {
        Configuration copy = roundTrip(new JavaSerializer(new SparkConf(false)).newInstance());
        assertEquals("hdfs://namenode:8020", copy.get("fs.defaultFS"));
    }
}
