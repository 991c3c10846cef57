package org.sparkcnn.config;

import java.net.URI;
import java.time.Duration;

/**
 * @param dir          where the run's results go (any Hadoop URI)
 * @param overwrite    replace an existing complete output
 * @param onIncomplete what to do with an incomplete output (a crashed or killed run)
 * @param lockStale    a lock on output.dir whose heartbeat is older than this belongs to a dead run and is
 *                     taken over
 */
public record OutputConfig(URI dir, boolean overwrite, OnIncomplete onIncomplete, Duration lockStale) {

    /** An incomplete output is resumed from its newest checkpoint, or cleaned and started again. */
    public enum OnIncomplete {
        RESUME, CLEAN
    }
}
