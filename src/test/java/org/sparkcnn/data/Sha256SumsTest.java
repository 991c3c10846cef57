package org.sparkcnn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.sparkcnn.common.BadInputException;

class Sha256SumsTest {
    private static final String A = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7";

    @Test
    void parsesSha256sumFormat() {
        Map<String, String> sums = Sha256Sums.parse("x", "# comment\n" + A.toUpperCase() + "  a file\r\n\n" + A + " *b\n");
        assertEquals(List.of("a file", "b"), List.copyOf(sums.keySet()));
        assertEquals(A, sums.get("a file"));
        assertEquals(A, sums.get("b"));
    }

    @Test
    void rejectsMalformedLines() {
        BadInputException e = assertThrows(BadInputException.class, () -> Sha256Sums.parse("SUMS", A + "  a\nabc  b\n"));
        assertTrue(e.getMessage().startsWith("SUMS: line 2: expected '<64 hex digits>  <file name>', found 'abc  b'"),
                e.getMessage());
        e = assertThrows(BadInputException.class, () -> Sha256Sums.parse("SUMS", A + "  a\n" + A + "  a\n"));
        assertTrue(e.getMessage().contains("line 2: a is listed twice"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> Sha256Sums.read(Path.of("/nonexistent/SUMS")));
        assertEquals("/nonexistent/SUMS: file not found", e.getMessage());
    }

    @Test
    void redactsCredentialsFromUris() {
        assertEquals("https://host:8443/p/a?...", Uris.redact(URI.create("https://u:pw@host:8443/p/a?sig=secret")));
        assertEquals("https://host/p/", Uris.redact(URI.create("https://user@host/p/")));
        assertEquals("file:/tmp/x", Uris.redact(URI.create("file:/tmp/x")));
        assertEquals("hdfs://nn:8020/d/f", Uris.redact(URI.create("hdfs://nn:8020/d/f")));
    }
}
