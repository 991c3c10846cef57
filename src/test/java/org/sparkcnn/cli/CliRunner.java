package org.sparkcnn.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the sparkcnn command line in-process and captures what it prints to stderr. */
public final class CliRunner {
    public record Result(int exitCode, String stderr) {
    }

    public static synchronized Result run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = SparkCnn.execute(args);
            return new Result(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
            System.err.print(captured.toString(StandardCharsets.UTF_8));
        }
    }

    private CliRunner() {
    }
}
