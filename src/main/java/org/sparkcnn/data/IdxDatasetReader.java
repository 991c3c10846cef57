package org.sparkcnn.data;

import java.net.URI;
import java.util.Arrays;
import java.util.Objects;

import org.apache.hadoop.conf.Configuration;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.data.IdxHeader.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a dataset stored as an IDX images file plus an IDX labels file (the MNIST format), raw or gzipped,
 * from any URI Hadoop can open (file:, hdfs:, s3a:, ...). An images file can also be read alone
 * ({@link #inspectImages}, {@link #readImagesRange}), e.g. unlabelled images to score.
 *
 * <p>Everything about the files is validated and every problem becomes a {@link BadInputException} whose
 * one-line message starts with the offending file's URI and says what was expected and what was found, so
 * a user who points the job at the wrong file learns it immediately, before any Spark work starts.
 *
 * <p>Not serializable (Hadoop's Configuration is not): executors create their own instance.
 */
public final class IdxDatasetReader {
    private static final Logger log = LoggerFactory.getLogger(IdxDatasetReader.class);
    /** Approximate bytes per chunk when streaming a whole file: bounded memory whatever the file size. */
    private static final int STREAM_CHUNK_BYTES = 1 << 20;
    /** Java arrays cannot be larger than this. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Configuration hadoopConf;
    private final DatasetShape expected;

    public IdxDatasetReader(Configuration hadoopConf, DatasetShape expected) {
        this.hadoopConf = Objects.requireNonNull(hadoopConf, "hadoopConf");
        this.expected = Objects.requireNonNull(expected, "expected");
    }

    public DatasetShape expectedShape() {
        return expected;
    }

    /** Reads the whole dataset into memory, validating headers, every label and the exact file lengths. */
    public LabeledImages read(URI images, URI labels) {
        long start = System.nanoTime();
        try (IdxInput img = IdxInput.open(images, hadoopConf, false)) {
            IdxHeader ih = IdxHeader.read(img, Kind.IMAGES, expected);
            try (IdxInput lab = IdxInput.open(labels, hadoopConf, false)) {
                IdxHeader lh = IdxHeader.read(lab, Kind.LABELS, expected);
                checkSameCount(img, ih, lab, lh);
                checkFitsInArray(img, ih, ih.dataBytes());
                checkRawLength(img, ih);
                checkRawLength(lab, lh);

                // labels first: they are small, and a bad label is found before reading megabytes of pixels
                byte[] labelBytes = readDeclared(lab, lh, lh.count());
                checkLabels(lab, labelBytes, 0);
                byte[] pixels = readDeclared(img, ih, (int) ih.dataBytes());
                checkEnd(img, ih);
                checkEnd(lab, lh);

                log.info("Read {} from {} and {} in {} ms", ih.describe(), img.name(), lab.name(),
                        (System.nanoTime() - start) / 1_000_000);
                return new LabeledImages(ih.count(), ih.rows(), ih.cols(), pixels, labelBytes);
            }
        }
    }

    /**
     * Reads only examples [from, from + count), e.g. one executor's shard. Raw files are entered with a
     * seek; gzip streams must be decompressed up to {@code from} (gzip has no random access). Validates
     * both headers and the labels in the range, and for raw files also the exact file lengths (cheap:
     * they come from the file status); the rest of a gzipped file is not read, so its truncation or
     * trailing data outside the range goes unnoticed.
     *
     * @throws IllegalArgumentException if {@code from < 0} or {@code count < 1}
     * @throws BadInputException        if the range goes beyond the examples in the files, or the files are bad
     */
    public LabeledImages readRange(URI images, URI labels, int from, int count) {
        checkRangeArgs(from, count);
        long start = System.nanoTime();
        try (IdxInput img = IdxInput.open(images, hadoopConf, false)) {
            IdxHeader ih = IdxHeader.read(img, Kind.IMAGES, expected);
            try (IdxInput lab = IdxInput.open(labels, hadoopConf, false)) {
                IdxHeader lh = IdxHeader.read(lab, Kind.LABELS, expected);
                checkSameCount(img, ih, lab, lh);
                checkRange(img, ih, from, count);
                checkRawLength(img, ih);
                checkRawLength(lab, lh);

                skipTo(lab, lh, from);
                byte[] labelBytes = readDeclared(lab, lh, count);
                checkLabels(lab, labelBytes, from);
                byte[] pixels = readItems(img, ih, from, count);

                log.info("Read examples [{}, {}) of {} from {} and {} in {} ms", from, from + count,
                        ih.describe(), img.name(), lab.name(), (System.nanoTime() - start) / 1_000_000);
                return new LabeledImages(count, ih.rows(), ih.cols(), pixels, labelBytes);
            }
        }
    }

    /**
     * Streams both files end to end in bounded memory, validating everything {@link #read} does, and
     * returns their shape, class counts and the SHA-256 of their uncompressed bytes.
     */
    public DatasetSummary inspect(URI images, URI labels) {
        long start = System.nanoTime();
        try (IdxInput img = IdxInput.open(images, hadoopConf, true)) {
            IdxHeader ih = IdxHeader.read(img, Kind.IMAGES, expected);
            try (IdxInput lab = IdxInput.open(labels, hadoopConf, true)) {
                IdxHeader lh = IdxHeader.read(lab, Kind.LABELS, expected);
                checkSameCount(img, ih, lab, lh);

                int[] classCounts = new int[expected.numClasses()];
                byte[] chunk = streamChunk(ih);
                for (int done = 0; done < lh.count(); ) {
                    int n = Math.min(chunk.length, lh.count() - done);
                    readExactly(lab, lh, chunk, n);
                    checkLabels(lab, chunk, n, done);
                    for (int i = 0; i < n; i++) {
                        classCounts[chunk[i] & 0xff]++;
                    }
                    done += n;
                }
                streamToEnd(img, ih, chunk);
                checkEnd(lab, lh);

                DatasetSummary summary = new DatasetSummary(img.name(), lab.name(), ih.count(), ih.rows(),
                        ih.cols(), img.sha256Hex(), lab.sha256Hex(), classCounts);
                log.info("Inspected {} in {} ms", summary, (System.nanoTime() - start) / 1_000_000);
                return summary;
            }
        }
    }

    /**
     * Streams an IDX images file alone (no labels, e.g. unlabelled images to score) end to end in bounded
     * memory, validating it as {@link #inspect} does: header, image size, exact length, gzip integrity.
     *
     * @return the number of images (at least 1)
     * @throws BadInputException if the file is missing or bad
     */
    public int inspectImages(URI images) {
        long start = System.nanoTime();
        try (IdxInput img = IdxInput.open(images, hadoopConf, false)) {
            IdxHeader ih = IdxHeader.read(img, Kind.IMAGES, expected);
            streamToEnd(img, ih, streamChunk(ih));
            log.info("Inspected {} from {} in {} ms", ih.describe(), img.name(),
                    (System.nanoTime() - start) / 1_000_000);
            return ih.count();
        }
    }

    /**
     * Reads the pixels of images [from, from + count) of an IDX images file alone, like {@link #readRange}
     * without labels: validates the header and, for raw files, the exact file length; the rest of a gzipped
     * file is not read.
     *
     * @return count*rows*cols unsigned pixel bytes, image-major then row-major, exactly as stored
     * @throws IllegalArgumentException if {@code from < 0} or {@code count < 1}
     * @throws BadInputException        if the range goes beyond the images in the file, or the file is bad
     */
    public byte[] readImagesRange(URI images, int from, int count) {
        checkRangeArgs(from, count);
        long start = System.nanoTime();
        try (IdxInput img = IdxInput.open(images, hadoopConf, false)) {
            IdxHeader ih = IdxHeader.read(img, Kind.IMAGES, expected);
            checkRange(img, ih, from, count);
            checkRawLength(img, ih);
            byte[] pixels = readItems(img, ih, from, count);
            log.info("Read images [{}, {}) of {} from {} in {} ms", from, from + count, ih.describe(), img.name(),
                    (System.nanoTime() - start) / 1_000_000);
            return pixels;
        }
    }

    private static void checkRangeArgs(int from, int count) {
        if (from < 0 || count < 1) {
            throw new IllegalArgumentException("bad range: from=" + from + ", count=" + count);
        }
    }

    /** The range must lie within the declared examples and its data must fit in one array. */
    private static void checkRange(IdxInput in, IdxHeader h, int from, int count) {
        if ((long) from + count > h.count()) {
            throw in.bad("range [" + from + ", " + ((long) from + count) + ") is outside the "
                    + h.count() + " examples in the file");
        }
        checkFitsInArray(in, h, (long) count * h.itemBytes());
    }

    /** Reads the data of examples [from, from + count) from just after the header (range already checked). */
    private static byte[] readItems(IdxInput in, IdxHeader h, int from, int count) {
        skipTo(in, h, from);
        return readDeclared(in, h, count * h.itemBytes());
    }

    /**
     * Reads the next {@code length} bytes the header declares into an array of that length, allocated as
     * the data arrives: a gzipped file's uncompressed length is known only by reading it, and a damaged
     * header declaring 2.7 million images in a file of 50 must be refused as truncated, not first make the
     * JVM allocate 2 GB (raw files are checked against their stored length before this).
     */
    private static byte[] readDeclared(IdxInput in, IdxHeader h, int length) {
        byte[] data = new byte[Math.min(length, STREAM_CHUNK_BYTES)];
        int done = 0;
        while (done < length) {
            if (done == data.length) {
                data = Arrays.copyOf(data, (int) Math.min(length, 2L * data.length));
            }
            int n = in.read(data, done, data.length - done);
            done += n;
            if (n == 0) {
                throw truncated(in, h, in.position());
            }
        }
        return data;
    }

    /** A streaming buffer of about {@link #STREAM_CHUNK_BYTES}, a whole number of {@code h}'s items. */
    private static byte[] streamChunk(IdxHeader h) {
        return new byte[Math.max(1, STREAM_CHUNK_BYTES / h.itemBytes()) * h.itemBytes()];
    }

    /** Reads all the declared data after the header through {@code chunk}, then rejects trailing data. */
    private static void streamToEnd(IdxInput in, IdxHeader h, byte[] chunk) {
        for (long left = h.dataBytes(); left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            readExactly(in, h, chunk, n);
            left -= n;
        }
        checkEnd(in, h);
    }

    private static void checkSameCount(IdxInput img, IdxHeader ih, IdxInput lab, IdxHeader lh) {
        if (ih.count() != lh.count()) {
            throw new BadInputException(img.name() + ": has " + ih.count() + " images but " + lab.name()
                    + " has " + lh.count() + " labels, expected the same number");
        }
    }

    private static void checkFitsInArray(IdxInput in, IdxHeader h, long bytes) {
        if (bytes > MAX_ARRAY) {
            throw in.bad(h.describe() + " is " + bytes + " bytes, too large to load at once (max " + MAX_ARRAY
                    + "); read it in ranges");
        }
    }

    /** For raw files the stored length must be exactly header + data; known without reading anything. */
    private static void checkRawLength(IdxInput in, IdxHeader h) {
        if (in.isGzip()) {
            return;
        }
        if (in.fileLength() < h.totalBytes()) {
            throw truncated(in, h, in.fileLength());
        }
        if (in.fileLength() > h.totalBytes()) {
            throw trailing(in, h, in.fileLength() - h.totalBytes());
        }
    }

    private void checkLabels(IdxInput lab, byte[] labels, int firstIndex) {
        checkLabels(lab, labels, labels.length, firstIndex);
    }

    private void checkLabels(IdxInput lab, byte[] labels, int n, int firstIndex) {
        for (int i = 0; i < n; i++) {
            int label = labels[i] & 0xff;
            if (label >= expected.numClasses()) {
                throw lab.bad("label at index " + ((long) firstIndex + i) + " is " + label + ", expected 0.."
                        + (expected.numClasses() - 1));
            }
        }
    }

    private static void skipTo(IdxInput in, IdxHeader h, int example) {
        long want = (long) example * h.itemBytes();
        long skipped = in.skip(want);
        if (skipped < want) {
            throw truncated(in, h, in.position());
        }
    }

    private static void readExactly(IdxInput in, IdxHeader h, byte[] dest, int len) {
        if (in.read(dest, 0, len) < len) {
            throw truncated(in, h, in.position());
        }
    }

    private static void checkEnd(IdxInput in, IdxHeader h) {
        long extra = in.countRemaining();
        if (extra > 0) {
            throw trailing(in, h, extra);
        }
    }

    private static BadInputException truncated(IdxInput in, IdxHeader h, long got) {
        return in.bad("truncated: header declares " + h.describe() + ", so " + h.totalBytes() + " "
                + in.bytesUnit() + " expected, but the data ends after " + got);
    }

    private static BadInputException trailing(IdxInput in, IdxHeader h, long extra) {
        return in.bad("trailing data: " + extra + " extra " + in.bytesUnit() + " after the " + h.describe()
                + " the header declares (expected " + h.totalBytes() + ", found " + (h.totalBytes() + extra) + ")");
    }
}
