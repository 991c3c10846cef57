package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkcnn.common.CapturedLogs;
import org.sparkcnn.config.TrainingEngine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** SPARK-25078: a standalone driver gets the authentication secret only through the environment. */
class SparkContextFactoryTest {
    @Test
    void takesTheSecretFromTheEnvironmentWhenAuthenticationIsOnAndTheConfHasNone() {
        SparkConf conf = new SparkConf(false).set("spark.authenticate", "true");
        SparkContextFactory.adoptAuthSecretFromEnvironment(conf, "s3cr3t");
        assertEquals("s3cr3t", conf.get(SparkContextFactory.AUTH_SECRET));
    }

    @Test
    void keepsAConfiguredSecret() {
        SparkConf conf = new SparkConf(false).set("spark.authenticate", "true").set(SparkContextFactory.AUTH_SECRET, "mine");
        SparkContextFactory.adoptAuthSecretFromEnvironment(conf, "other");
        assertEquals("mine", conf.get(SparkContextFactory.AUTH_SECRET));
    }

    @Test
    void leavesTheConfAloneWithoutAuthenticationOrSecret() {
        SparkConf off = new SparkConf(false);
        SparkContextFactory.adoptAuthSecretFromEnvironment(off, "s3cr3t");
        assertFalse(off.contains(SparkContextFactory.AUTH_SECRET));
        SparkConf noSecret = new SparkConf(false).set("spark.authenticate", "true");
        SparkContextFactory.adoptAuthSecretFromEnvironment(noSecret, null);
        assertFalse(noSecret.contains(SparkContextFactory.AUTH_SECRET));
    }

    @Test
    void warnsOnceAtStartUpWhenAClusterWithoutAuthenticationCanReadTheRingSecret() {
        try (CapturedLogs logs = CapturedLogs.of(SparkContextFactory.class)) {
            SparkContextFactory.warnIfRingSecretExposed(new SparkConf(false).set("spark.master", "spark://head:7077"),
                    TrainingEngine.ALLREDUCE);
            assertEquals(1, logs.warningsContaining("anyone who can reach this cluster can read it"), logs.lines().toString());
            assertEquals(1, logs.warningsContaining("spark://head:7077"));
            SparkContextFactory.warnIfRingSecretExposed(new SparkConf(false).set("spark.master", "local-cluster[2,1,1024]"),
                    TrainingEngine.ALLREDUCE);
            assertEquals(1, logs.warningsContaining("local-cluster[2,1,1024]"), "executors in other JVMs: a cluster");
            int warned = logs.lines().size();
            // no warning: Spark authenticates, everything in this JVM, or no ring at all
            SparkContextFactory.warnIfRingSecretExposed(new SparkConf(false).set("spark.master", "yarn")
                    .set("spark.authenticate", "true"), TrainingEngine.ALLREDUCE);
            SparkContextFactory.warnIfRingSecretExposed(new SparkConf(false).set("spark.master", "local[4]"),
                    TrainingEngine.ALLREDUCE);
            SparkContextFactory.warnIfRingSecretExposed(new SparkConf(false).set("spark.master", "yarn"),
                    TrainingEngine.PARAMETER_AVERAGING);
            assertEquals(warned, logs.lines().size(), logs.lines().toString());
        }
    }
}
