package org.sparkcnn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.sparkcnn.common.BadInputException;

/**
 * Parses checksum lists in the format {@code sha256sum} writes and {@code sha256sum -c} reads, such as the
 * SHA256SUMS.uncompressed file shipped next to the MNIST data: one {@code <64 hex digits>  <file name>} per
 * line ({@code " *name"} marks binary mode and is accepted too).
 */
public final class Sha256Sums {
    private static final Pattern LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");
    private static final int MAX_QUOTED = 80;

    private Sha256Sums() {
    }

    /**
     * Returns file name -> lower-case hex digest, in file order. Blank lines and lines starting with '#'
     * are ignored.
     *
     * @param source names the text in error messages (usually its path)
     * @throws BadInputException on a malformed line or a name listed twice
     */
    public static Map<String, String> parse(String source, String text) {
        Map<String, String> sums = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                String quoted = line.length() > MAX_QUOTED ? line.substring(0, MAX_QUOTED) + "..." : line;
                throw new BadInputException(source + ": line " + (i + 1)
                        + ": expected '<64 hex digits>  <file name>', found '" + quoted + "'");
            }
            String name = m.group(2);
            if (sums.put(name, m.group(1).toLowerCase(Locale.ROOT)) != null) {
                throw new BadInputException(source + ": line " + (i + 1) + ": " + name + " is listed twice");
            }
        }
        return Collections.unmodifiableMap(sums);
    }

    /** Reads and {@link #parse parses} a local checksum file. */
    public static Map<String, String> read(Path file) {
        try {
            return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": could not read: " + e.getMessage(), e);
        }
    }
}
