package org.sparkcnn.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.util.ShutdownHookManager;
import org.sparkcnn.common.BadInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer per output.dir: {@code output.dir/}{@value #FILE_NAME}, a small JSON file naming the run that
 * holds the folder (host, process id, start time, run id, command, last heartbeat).
 *
 * <ul>
 *   <li><b>Taken atomically</b>: created only if absent, in one step of the file system (HDFS's create
 *   without overwrite, decided by the NameNode; on the local file system an exclusive create,
 *   {@code O_EXCL}, because Hadoop's local create checks and then creates). Two runs starting at once:
 *   exactly one gets it; the other is refused with a message naming the holder.</li>
 *   <li><b>Kept alive</b>: a daemon thread rewrites it every quarter of the stale bound, so three beats
 *   may be missed (a long GC pause, a slow NameNode) before anyone may take it. A rewrite replaces the
 *   file in one step (HDFS create with overwrite, a rename on the local file system): it never
 *   disappears in between, which would let another run in.</li>
 *   <li><b>Stale</b>: a lock whose last write is older than {@code output.lock-stale-seconds} belongs to a
 *   killed run (SIGKILL, lost node); the next run takes it over and logs a warning naming the dead
 *   holder. Two runs taking over the same stale lock at the same moment cannot both publish: each beat
 *   and {@link #verifyHeld()} (called before results are published) check that the file still names this
 *   run.</li>
 *   <li><b>Released</b> by {@link #close()}, on success and on exceptions, and by a shutdown hook on
 *   SIGTERM (best effort: it runs after Spark's own hooks and before Hadoop closes its file systems).
 *   The staleness is judged on the file system's modification time against the local clock, so the
 *   bound must exceed the clock skew between hosts (minutes apart would need a larger bound).</li>
 * </ul>
 */
public final class OutputLock implements AutoCloseable {
    public static final String FILE_NAME = "_LOCK";
    /** After Spark stops its context (its hooks run at Hadoop priority 40), before file systems close (10). */
    private static final int SHUTDOWN_PRIORITY = FileSystem.SHUTDOWN_HOOK_PRIORITY + 10;
    private static final int ATTEMPTS = 3;
    /** HDFS's answer to a create of a file another create has not closed yet (hadoop-hdfs-client's class). */
    private static final String ALREADY_BEING_CREATED = "org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException";
    private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Who holds a lock.
     *
     * @param runId   the run's id (as in report.json run.id)
     * @param command train, evaluate, predict or bench
     */
    public record Holder(String host, long pid, Instant start, String runId, String command) {
        /** This process, starting run {@code runId} now. */
        public static Holder thisProcess(String runId, String command) {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                host = "unknown-host";
            }
            return new Holder(host, ProcessHandle.current().pid(), Instant.now(), runId, command);
        }

        String describe() {
            return "host " + host + ", pid " + pid + ", started " + start + " (" + command + " run " + runId + ")";
        }
    }

    private final FileSystem fs;
    private final Path dir;
    private final Path file;
    private final Holder holder;
    private final Optional<Holder> tookOverFrom;
    private final boolean createdDir;
    private final ScheduledExecutorService heartbeat;
    private final Runnable shutdownRelease = this::release;
    private volatile boolean lost;
    private boolean released;

    private OutputLock(FileSystem fs, Path dir, Holder holder, Optional<Holder> tookOverFrom, boolean createdDir,
                       Duration staleAfter) {
        this.fs = fs;
        this.dir = dir;
        this.file = new Path(dir, FILE_NAME);
        this.holder = holder;
        this.tookOverFrom = tookOverFrom;
        this.createdDir = createdDir;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "output-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1000, staleAfter.toMillis() / 4);
        heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
        ShutdownHookManager.get().addShutdownHook(shutdownRelease, SHUTDOWN_PRIORITY);
    }

    /**
     * Takes the lock of {@code dir} (creating the folder), taking over a stale one.
     *
     * @throws BadInputException when a live run holds it, naming that run
     * @throws IOException       when the folder cannot be written
     */
    public static OutputLock acquire(FileSystem fs, Path dir, Duration staleAfter, Holder me) throws IOException {
        boolean createdDir = !fs.exists(dir);
        if (createdDir && !fs.mkdirs(dir)) {
            throw new IOException("could not create the folder");
        }
        Path file = new Path(dir, FILE_NAME);
        Optional<Holder> tookOverFrom = Optional.empty();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (createExclusive(fs, file, content(me, tookOverFrom))) {
                LOG.info("Locked output.dir {} ({})", dir, FILE_NAME);
                return new OutputLock(fs, dir, me, tookOverFrom, createdDir, staleAfter);
            }
            FileStatus status;
            try {
                status = fs.getFileStatus(file);
            } catch (FileNotFoundException e) {
                continue; // released in between: try again
            }
            Duration age = Duration.ofMillis(Math.max(0, System.currentTimeMillis() - status.getModificationTime()));
            Optional<Holder> other = readHolder(fs, file);
            String who = other.map(Holder::describe).orElse("an unknown run (unreadable " + FILE_NAME + ")");
            if (age.compareTo(staleAfter) <= 0) {
                throw new BadInputException("output.dir " + dir + ": another run is writing it: " + who
                        + ", last heartbeat " + age.toSeconds() + " s ago (" + FILE_NAME + "); wait for it to end, or, "
                        + "if it was killed, rerun after its heartbeat is older than output.lock-stale-seconds ("
                        + staleAfter.toSeconds() + ")");
            }
            LOG.warn("Taking over the stale lock of output.dir {}: held by {}, last heartbeat {} s ago, more than "
                    + "output.lock-stale-seconds ({}); that run is presumed dead", dir, who, age.toSeconds(),
                    staleAfter.toSeconds());
            tookOverFrom = other.or(() -> Optional.of(new Holder("unknown-host", -1, Instant.EPOCH, "unknown", "unknown")));
            fs.delete(file, false);
        }
        throw new BadInputException("output.dir " + dir + ": could not take its lock (" + FILE_NAME + ") in "
                + ATTEMPTS + " attempts: other runs are competing for it");
    }

    /** Whether {@code name} in output.dir belongs to the lock (the file, or a heartbeat's rewrite of it). */
    public static boolean isLockFile(String name) {
        return name.equals(FILE_NAME) || name.startsWith("." + FILE_NAME);
    }

    /** Who holds {@code dir}'s lock now, if anyone (and it is readable). */
    public static Optional<Holder> holderOf(FileSystem fs, Path dir) throws IOException {
        return readHolder(fs, new Path(dir, FILE_NAME));
    }

    public FileSystem fileSystem() {
        return fs;
    }

    public Path dir() {
        return dir;
    }

    public Holder holder() {
        return holder;
    }

    /** The dead run whose stale lock this one took over, if any (also recorded in the lock file). */
    public Optional<Holder> tookOverFrom() {
        return tookOverFrom;
    }

    /**
     * Fails when another run took this lock over (this run's heartbeat stalled past the bound): called
     * before publishing results, so that of two runs only the lock's holder publishes.
     */
    public void verifyHeld() throws IOException {
        Optional<Holder> now = readHolder(fs, file);
        if (lost || now.isEmpty() || !now.get().runId().equals(holder.runId())) {
            lost = true;
            throw new IOException("output.dir " + dir + ": lost its lock to "
                    + now.map(Holder::describe).orElse("nobody (" + FILE_NAME + " is gone)")
                    + "; this run's heartbeat stalled for longer than output.lock-stale-seconds");
        }
    }

    private void beat() {
        try {
            Optional<Holder> now = readHolder(fs, file);
            if (now.isEmpty() || !now.get().runId().equals(holder.runId())) {
                lost = true;
                LOG.error("output.dir {}: lost its lock to {}; this run will not publish its results", dir,
                        now.map(Holder::describe).orElse("nobody"));
                heartbeat.shutdown();
                return;
            }
            replace(fs, file, content(holder, tookOverFrom));
        } catch (IOException | RuntimeException e) {
            LOG.warn("output.dir {}: could not renew its lock ({}); retrying at the next beat", dir, e.toString());
        }
    }

    /** Stops the heartbeat and removes the lock (and the folder, if the run left nothing in it). */
    @Override
    public void close() {
        try {
            ShutdownHookManager.get().removeShutdownHook(shutdownRelease);
        } catch (IllegalStateException e) {
            // shutting down: the hook itself releases
        }
        release();
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Optional<Holder> now = readHolder(fs, file);
            if (now.isPresent() && now.get().runId().equals(holder.runId())) {
                fs.delete(file, false);
                LOG.info("Released output.dir {}", dir);
            }
            if (fs.exists(dir) && fs.listStatus(dir).length == 0 && createdDir) {
                fs.delete(dir, false); // nothing was written: leave no empty folder behind
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("output.dir {}: could not release its lock ({}); the next run takes it over once stale", dir,
                    e.toString());
        }
    }

    private static byte[] content(Holder holder, Optional<Holder> tookOverFrom) throws IOException {
        ObjectNode node = toJson(holder);
        node.put("heartbeat", Instant.now().toString());
        tookOverFrom.ifPresent(dead -> node.set("tookOverFrom", toJson(dead)));
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    }

    private static ObjectNode toJson(Holder holder) {
        ObjectNode node = JSON.createObjectNode();
        node.put("host", holder.host());
        node.put("pid", holder.pid());
        node.put("start", holder.start().toString());
        node.put("runId", holder.runId());
        node.put("command", holder.command());
        return node;
    }

    /**
     * The holder the file names; empty when it is gone, or unreadable for three tries in a row (a reader
     * may catch a rewrite on a file system that shows a file before its content).
     */
    private static Optional<Holder> readHolder(FileSystem fs, Path file) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try (InputStream in = fs.open(file)) {
                JsonNode node = JSON.readTree(in);
                return Optional.of(new Holder(node.get("host").asText(), node.get("pid").asLong(),
                        Instant.parse(node.get("start").asText()), node.get("runId").asText(),
                        node.get("command").asText()));
            } catch (FileNotFoundException e) {
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                if (attempt == 3) {
                    LOG.debug("Unreadable lock {}: {}", file, e.toString());
                    return Optional.empty();
                }
                sleep(100);
            }
        }
    }

    /** Creates {@code file} with {@code bytes} unless it exists, as one step of the file system. */
    private static boolean createExclusive(FileSystem fs, Path file, byte[] bytes) throws IOException {
        Optional<File> local = localFile(fs, file);
        try {
            if (local.isPresent()) {
                Files.write(local.get().toPath(), bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } else {
                try (FSDataOutputStream out = fs.create(file, false)) {
                    out.write(bytes);
                }
            }
            return true;
        } catch (FileAlreadyExistsException | java.nio.file.FileAlreadyExistsException e) {
            return false;
        } catch (org.apache.hadoop.ipc.RemoteException e) {
            // HDFS: a file still being written (its creator has not closed it yet) is "already being created"
            if (e.getClassName().equals(FileAlreadyExistsException.class.getName())
                    || e.getClassName().equals(ALREADY_BEING_CREATED)) {
                return false;
            }
            throw e;
        }
    }

    /** Replaces {@code file}'s content in one step: it exists throughout. */
    private static void replace(FileSystem fs, Path file, byte[] bytes) throws IOException {
        Optional<File> local = localFile(fs, file);
        if (local.isPresent()) {
            java.nio.file.Path target = local.get().toPath();
            // hidden, not _tmp-: a run cleaning leftovers must not take it for one
            java.nio.file.Path temp = target.resolveSibling("." + FILE_NAME + ".beat-" + ProcessHandle.current().pid());
            Files.write(temp, bytes);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } else {
            try (FSDataOutputStream out = fs.create(file, true)) {
                out.write(bytes);
            }
        }
    }

    /** The local file behind {@code file} on the local file system, whose create is not exclusive. */
    private static Optional<File> localFile(FileSystem fs, Path file) {
        if (fs instanceof LocalFileSystem local) {
            return Optional.of(local.pathToFile(file));
        }
        if (fs instanceof RawLocalFileSystem raw) {
            return Optional.of(raw.pathToFile(file));
        }
        return Optional.empty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
