package org.sparkcnn.config;

import java.net.URI;

/**
 * @param dir       where the run's results go (any Hadoop URI)
 * @param overwrite replace an existing complete output
 */
public record OutputConfig(URI dir, boolean overwrite) {
}
