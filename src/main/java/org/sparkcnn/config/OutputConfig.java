package org.sparkcnn.config;

import java.net.URI;

/**
 * @param dir          where the run's results go (any Hadoop URI)
 * @param overwrite    replace an existing complete output
 * @param onIncomplete what to do with an incomplete output (a crashed or killed run)
 */
public record OutputConfig(URI dir, boolean overwrite, OnIncomplete onIncomplete) {

    /** An incomplete output is resumed from its newest checkpoint, or cleaned and started again. */
    public enum OnIncomplete {
        RESUME, CLEAN
    }
}
