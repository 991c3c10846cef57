package org.sparkcnn.data;

import java.nio.ByteBuffer;

import org.sparkcnn.common.BadInputException;

/**
 * The header of an IDX file (magic number, then one big-endian unsigned 32-bit size per dimension), parsed
 * and checked against what the caller expects. The IDX format is documented at
 * http://yann.lecun.com/exdb/mnist/: the magic is two zero bytes, a data-type byte (0x08 = unsigned byte)
 * and the number of dimensions.
 */
record IdxHeader(Kind kind, int count, int rows, int cols) {

    /** The two kinds of IDX file a dataset is made of. */
    enum Kind {
        IMAGES(0x00000803, "image", "images"),
        LABELS(0x00000801, "label", "labels");

        final int magic;
        final String noun;
        final String plural;

        Kind(int magic, String noun, String plural) {
            this.magic = magic;
            this.noun = noun;
            this.plural = plural;
        }

        int dimensions() {
            return magic & 0xff;
        }

        int headerBytes() {
            return 4 + 4 * dimensions();
        }

        Kind other() {
            return this == IMAGES ? LABELS : IMAGES;
        }

        String describeMagic() {
            return String.format("0x%08x (%d, unsigned byte, %d dimension%s)", magic, magic, dimensions(),
                    dimensions() == 1 ? "" : "s");
        }
    }

    /** Bytes per example: one image or one label. */
    int itemBytes() {
        return rows * cols;
    }

    int headerBytes() {
        return kind.headerBytes();
    }

    /** Bytes of data after the header. */
    long dataBytes() {
        return (long) count * itemBytes();
    }

    /** Uncompressed size of the whole file. */
    long totalBytes() {
        return headerBytes() + dataBytes();
    }

    /** Describes the declared content, e.g. "10000 images of 28x28". */
    String describe() {
        return kind == Kind.IMAGES ? count + " images of " + rows + "x" + cols : count + " labels";
    }

    /**
     * Reads and validates the header at the start of {@code in}: magic number, example count (at least one)
     * and, for images, the image size against {@code expected}.
     */
    static IdxHeader read(IdxInput in, Kind kind, DatasetShape expected) {
        byte[] bytes = new byte[kind.headerBytes()];
        int n = in.read(bytes, 0, 4);
        if (n == 0) {
            throw in.bad("empty file, expected an IDX " + kind.noun + " file (raw or gzipped)");
        }
        if (bytes[0] != 0 || (n > 1 && bytes[1] != 0)) {
            throw notIdx(in, kind, bytes, n); // even a short file: it is not IDX at all, say so
        }
        if (n < 4) {
            throw in.bad("truncated header: file ends after " + n + " " + in.bytesUnit() + ", expected "
                    + kind.headerBytes());
        }
        int magic = ByteBuffer.wrap(bytes, 0, 4).getInt();
        checkMagic(in, kind, bytes, magic);

        n = in.read(bytes, 4, bytes.length - 4);
        if (n < bytes.length - 4) {
            throw in.bad("truncated header: file ends after " + (4 + n) + " " + in.bytesUnit() + ", expected "
                    + kind.headerBytes());
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        long count = Integer.toUnsignedLong(buf.getInt(4));
        if (count == 0) {
            throw in.bad("declares 0 " + kind.plural + ", expected at least 1");
        }
        if (count > Integer.MAX_VALUE) {
            throw in.bad("declares " + count + " " + kind.plural + ", more than the supported " + Integer.MAX_VALUE);
        }
        if (kind == Kind.LABELS) {
            return new IdxHeader(kind, (int) count, 1, 1);
        }
        long rows = Integer.toUnsignedLong(buf.getInt(8));
        long cols = Integer.toUnsignedLong(buf.getInt(12));
        if (rows != expected.rows() || cols != expected.cols()) {
            throw in.bad("images are " + rows + "x" + cols + " pixels, expected " + expected.rows() + "x"
                    + expected.cols());
        }
        return new IdxHeader(kind, (int) count, (int) rows, (int) cols);
    }

    /** The first bytes are not an IDX magic number (which starts with two zero bytes). */
    private static BadInputException notIdx(IdxInput in, Kind kind, byte[] bytes, int n) {
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < n; i++) {
            first.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i]));
        }
        String container = in.isGzip() ? "gzip content is not an IDX file" : "neither gzip nor IDX";
        return in.bad(container + ": starts with bytes " + first + ", expected "
                + (in.isGzip() ? "" : "gzip magic 1f 8b or ") + "IDX magic number " + kind.describeMagic());
    }

    private static void checkMagic(IdxInput in, Kind kind, byte[] bytes, int magic) {
        if (magic == kind.magic) {
            return;
        }
        String expected = "expected " + kind.describeMagic();
        if (magic == kind.other().magic) {
            throw in.bad(String.format("not an IDX %s file: magic number 0x%08x (%d) marks an IDX %s file, %s;"
                            + " are the images and labels files swapped?",
                    kind.noun, magic, magic, kind.other().noun, expected));
        }
        throw in.bad(String.format("not an IDX %s file: magic number 0x%08x (data type 0x%02x, %d dimensions), %s",
                kind.noun, magic, bytes[2] & 0xff, bytes[3] & 0xff, expected));
    }
}
