package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

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
}
