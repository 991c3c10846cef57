package org.sparkcnn.config;

import java.util.Map;
import java.util.Optional;

/**
 * How to reach Spark.
 *
 * @param master     explicit master URL; empty = spark-submit's, or embedded local[*]
 * @param appName    application name shown in the Spark UI
 * @param properties extra Spark properties passed as-is
 */
public record SparkSettings(Optional<String> master, String appName, Map<String, String> properties) {
    public SparkSettings {
        properties = Map.copyOf(properties);
    }
}
