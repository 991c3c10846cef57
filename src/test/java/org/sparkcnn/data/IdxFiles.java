package org.sparkcnn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Builds small (possibly broken) IDX files for tests. */
final class IdxFiles {
    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private IdxFiles() {
    }

    /** An images file: header (magic, count, rows, cols) followed by {@code data}. */
    static byte[] images(int magic, int count, int rows, int cols, byte[] data) {
        return ByteBuffer.allocate(16 + data.length).putInt(magic).putInt(count).putInt(rows).putInt(cols)
                .put(data).array();
    }

    /** A valid images file of {@code count} 28x28 images whose pixels are (index * 7) mod 256. */
    static byte[] images(int count) {
        return images(IMAGES_MAGIC, count, 28, 28, pixels(count * 784));
    }

    /** A labels file: header (magic, count) followed by {@code data}. */
    static byte[] labels(int magic, int count, byte[] data) {
        return ByteBuffer.allocate(8 + data.length).putInt(magic).putInt(count).put(data).array();
    }

    /** A valid labels file with labels i mod 10. */
    static byte[] labels(int count) {
        byte[] l = new byte[count];
        for (int i = 0; i < count; i++) {
            l[i] = (byte) (i % 10);
        }
        return labels(LABELS_MAGIC, count, l);
    }

    static byte[] pixels(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) {
            p[i] = (byte) (i * 7);
        }
        return p;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] gunzip(Path file) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static Path write(Path file, byte[] content) {
        try {
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
