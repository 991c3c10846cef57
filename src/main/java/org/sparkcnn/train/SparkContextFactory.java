package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.config.SparkSettings;
import org.sparkcnn.config.TrainingConfig;

/**
 * Creates the Spark context with the settings sparkcnn needs. The master comes from the job config when
 * it names one, otherwise from spark-submit, otherwise an embedded {@code local[*]}.
 */
public final class SparkContextFactory {
    private SparkContextFactory() {
    }

    public static SparkConf sparkConf(SparkSettings spark, TrainingConfig training) {
        SparkConf conf = new SparkConf();
        conf.setAppName(spark.appName());
        spark.master().ifPresent(conf::setMaster);
        conf.setIfMissing("spark.master", "local[*]");
        // INDArrays travel between driver and executors every round: Kryo with nd4j's registrator
        conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.set("spark.kryo.registrator", "org.nd4j.kryo.Nd4jRegistrator");
        conf.setIfMissing("spark.kryoserializer.buffer.max", "512m");
        conf.set("spark.plugins", appendPlugin(conf.get("spark.plugins", "")));
        if (training.threadsPerTask() > 0) {
            conf.set(SparkCnnPlugin.THREADS_PER_TASK, Integer.toString(training.threadsPerTask()));
        }
        // Every round is a short job over cached, executor-resident data: don't wait for locality
        conf.setIfMissing("spark.locality.wait", "0s");
        spark.properties().forEach(conf::set);
        return conf;
    }

    public static JavaSparkContext create(SparkSettings spark, TrainingConfig training) {
        SparkConf conf = sparkConf(spark, training);
        SparkCnnPlugin.prepareJvm(SparkCnnPlugin.threadsPerTask(conf));
        return new JavaSparkContext(conf);
    }

    private static String appendPlugin(String plugins) {
        String ours = SparkCnnPlugin.class.getName();
        if (plugins.contains(ours)) {
            return plugins;
        }
        return plugins.isBlank() ? ours : plugins + "," + ours;
    }
}
