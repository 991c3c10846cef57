package org.sparkcnn.data;

import java.io.Closeable;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.sparkcnn.common.BadInputException;

/**
 * One open IDX file on any Hadoop file system, seen as its uncompressed bytes.
 *
 * <p>Gzip is recognised by its magic bytes (1f 8b), not by the file name, because people rename files and
 * some mirrors serve MNIST already decompressed under the .gz name. The class tracks how many uncompressed
 * bytes were consumed so that "truncated" messages can say how far the data got, and translates every I/O
 * failure into an exception whose message starts with the file's (credential-free) URI: a problem with the
 * file's content becomes a {@link BadInputException}, anything else (network, permissions) an
 * {@link UncheckedIOException}.
 */
final class IdxInput implements Closeable {
    private static final int GZIP_BUFFER = 64 * 1024;

    private final String name;
    private final FSDataInputStream raw;
    private final boolean gzip;
    private final long fileLength;
    private final InputStream in;
    private final MessageDigest digest;
    private long position;

    private IdxInput(String name, FSDataInputStream raw, boolean gzip, long fileLength, InputStream in,
                     MessageDigest digest) {
        this.name = name;
        this.raw = raw;
        this.gzip = gzip;
        this.fileLength = fileLength;
        this.in = in;
        this.digest = digest;
    }

    /**
     * Opens {@code uri}; with {@code sha256} set, every uncompressed byte read is also fed to a SHA-256
     * digest (see {@link #sha256Hex()}).
     */
    static IdxInput open(URI uri, Configuration conf, boolean sha256) {
        String name = Uris.redact(uri);
        FSDataInputStream raw = null;
        try {
            FileSystem fs = FileSystem.get(uri, conf);
            Path path = new Path(uri);
            FileStatus status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                throw new BadInputException(name + ": is a directory, expected an IDX file (raw or gzipped)");
            }
            raw = fs.open(path);
            byte[] magic = new byte[2];
            int n = readUpTo(raw, magic, 0, 2);
            boolean gzip = n == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
            raw.seek(0);
            InputStream in = raw;
            if (gzip) {
                try {
                    in = new GZIPInputStream(raw, GZIP_BUFFER);
                } catch (ZipException | EOFException e) {
                    throw corruptGzip(name, e);
                }
            }
            MessageDigest digest = sha256 ? MessageDigest.getInstance("SHA-256") : null;
            return new IdxInput(name, raw, gzip, status.getLen(), in, digest);
        } catch (FileNotFoundException e) {
            closeQuietly(raw);
            throw new BadInputException(name + ": file not found", e);
        } catch (UnsupportedFileSystemException e) {
            closeQuietly(raw);
            throw new BadInputException(name + ": no Hadoop FileSystem for scheme '" + uri.getScheme()
                    + "' (is its connector on the classpath?)", e);
        } catch (IOException e) {
            closeQuietly(raw);
            throw new UncheckedIOException(name + ": could not open: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            closeQuietly(raw);
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        } catch (RuntimeException e) {
            closeQuietly(raw);
            throw e;
        }
    }

    /** The file's URI without credentials, for messages. */
    String name() {
        return name;
    }

    boolean isGzip() {
        return gzip;
    }

    /** Uncompressed bytes consumed so far (including skipped ones). */
    long position() {
        return position;
    }

    /** Size of the file as stored (compressed size for gzip). */
    long fileLength() {
        return fileLength;
    }

    /** A bad-input exception whose message is this file's name followed by {@code what}. */
    BadInputException bad(String what) {
        return new BadInputException(name + ": " + what);
    }

    /** Reads until {@code len} bytes or end of data; returns how many were read. */
    int read(byte[] b, int off, int len) {
        try {
            int n = readUpTo(in, b, off, len);
            if (digest != null) {
                digest.update(b, off, n);
            }
            position += n;
            return n;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /**
     * Moves forward {@code n} uncompressed bytes: a seek for raw files, decompress-and-discard for gzip
     * (gzip streams cannot be entered in the middle). Returns how many bytes were actually skipped; fewer
     * than {@code n} means the data ended. Not to be mixed with digesting.
     */
    long skip(long n) {
        if (digest != null) {
            throw new IllegalStateException("cannot skip while computing a digest");
        }
        try {
            if (!gzip) {
                long target = Math.min(position + n, fileLength);
                raw.seek(target);
                long skipped = target - position;
                position = target;
                return skipped;
            }
            byte[] buf = new byte[(int) Math.min(n, GZIP_BUFFER)];
            long done = 0;
            while (done < n) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            position += done;
            return done;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /**
     * Reads to the end and returns how many bytes were left (0 if the data ended where the header said).
     * Used to reject files with trailing data, which usually means a wrong or concatenated file.
     */
    long countRemaining() {
        try {
            if (!gzip) {
                long left = Math.max(0, fileLength - position);
                position += left;
                return left;
            }
            long left = 0;
            byte[] buf = new byte[GZIP_BUFFER];
            int r;
            while ((r = in.read(buf)) >= 0) {
                left += r;
            }
            position += left;
            return left;
        } catch (IOException e) {
            throw translate(e);
        }
    }

    /** Hex SHA-256 of all uncompressed bytes read so far (only when opened with {@code sha256}). */
    String sha256Hex() {
        if (digest == null) {
            throw new IllegalStateException("not opened with sha256");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** "raw" or "uncompressed" qualifier for byte counts in messages. */
    String bytesUnit() {
        return gzip ? "uncompressed bytes" : "bytes";
    }

    @Override
    public void close() {
        closeQuietly(in);
        closeQuietly(raw);
    }

    private RuntimeException translate(IOException e) {
        if (gzip && (e instanceof ZipException || e instanceof EOFException)) {
            return corruptGzip(name, e);
        }
        return new UncheckedIOException(name + ": read failed: " + e.getMessage(), e);
    }

    private static BadInputException corruptGzip(String name, IOException e) {
        String why = e instanceof EOFException ? "compressed data ends early" : "corrupt data";
        return new BadInputException(name + ": corrupt gzip stream: " + why + " (" + e.getMessage() + ")", e);
    }

    private static int readUpTo(InputStream s, byte[] b, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int r = s.read(b, off + done, len - done);
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // nothing useful to do: we only read
            }
        }
    }
}
