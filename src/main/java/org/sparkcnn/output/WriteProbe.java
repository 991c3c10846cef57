package org.sparkcnn.output;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkcnn.common.BadInputException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Proves, before a run starts, that a folder it will write at its end can be written: the folder is
 * created, a small file written into it and deleted, and the folder removed again if the probe made it
 * (the run creates it when it needs it; a refused or finished-at-once run leaves nothing). A folder that
 * cannot be written would otherwise be found after training (an epoch of MNIST, hours of a real job).
 */
public final class WriteProbe {
    static final String PROBE_PREFIX = "_write-probe-";

    private WriteProbe() {
    }

    /**
     * @param what how the run's configuration names the folder, for the message ("output.dir's checkpoints folder")
     * @throws BadInputException (exit 2) naming {@code what}, the folder's URI and the cause; a folder the
     *                           probe created is removed again
     */
    public static void require(FileSystem fs, Path dir, String what) {
        Path probe = new Path(dir, PROBE_PREFIX + UUID.randomUUID());
        boolean existed = true;
        try {
            existed = fs.exists(dir);
            if (!fs.mkdirs(dir)) {
                throw new IOException("could not create the folder: no permission, or a file in the way");
            }
            try (FSDataOutputStream out = fs.create(probe, false)) {
                out.write(what.getBytes(StandardCharsets.UTF_8));
            }
            fs.delete(probe, false);
            if (!existed) {
                fs.delete(dir, false);
            }
        } catch (IOException e) {
            if (!existed) {
                removeQuietly(fs, dir);
            }
            throw new BadInputException(what + " " + dir + ": cannot be written here ("
                    + BadInputException.describe(e) + ")", e);
        }
    }

    private static void removeQuietly(FileSystem fs, Path dir) {
        try {
            fs.delete(dir, true);
        } catch (IOException ignored) {
            // the probe's own failure is what the user is told
        }
    }
}
