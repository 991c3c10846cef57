package org.sparkcnn.config;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.fuzz.Fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the HOCON config loader: the default preset (conf/sparkcnn.conf) with random edits (characters
 * HOCON gives meaning to, deleted or duplicated lines, swapped values), plus random {@code key=value}
 * overrides on known keys with awkward values (negative, huge, NaN, lists, durations, line breaks). See
 * {@link Fuzz} for the rule.
 */
class JobConfigLoaderFuzzTest {
    private static final String SPECIAL = "{}[]=:\\\",#$\n\t ${?.}+/\\u00e9";
    private static final String[] VALUES = {"0", "-1", "1", "2", "3.5", "-0.0", "1e309", "NaN", "Infinity",
            "2147483648", "9223372036854775808", "true", "false", "null", "\"\"", "[]", "[1, 2", "[1,2,3]",
            "{a=1}", "10 s", "5 rounds", "0 rounds", "epoch", "hdfs://nn:8020/x", "file:/tmp/x", "s3a://b/k",
            "local[2]", "local[0]", "yarn", "a\nb", "${undefined}", "\"x\ny\"", "allreduce", "adam", "sgd", "dl4j",
            "onednn", "cpu", "gpu", "auto", "%", "\u0000", "  "};
    private static String preset;
    private static List<String> keys;

    @TempDir
    static Path dir;

    @BeforeAll
    static void read() throws IOException {
        preset = Files.readString(Path.of("conf/sparkcnn.conf"));
        keys = new ArrayList<>();
        ConfigFactory.defaultReference().getConfig("sparkcnn").entrySet().forEach(e -> keys.add(e.getKey()));
        keys.sort(String::compareTo);
    }

    @Test
    void editedPresetsAndOverridesLoadOrAreRefusedAsBadInput() {
        Fuzz.Outcome outcome = Fuzz.run("config", 10, (random, input) -> {
            String text = edit(random, preset, input);
            Path file = dir.resolve("job.conf");
            Files.writeString(file, text);
            List<String> overrides = new ArrayList<>();
            for (int n = random.nextInt(4); n > 0; n--) {
                overrides.add(override(random));
            }
            input.append("; overrides ").append(overrides);
            assertNotNull(JobConfigLoader.load(random.nextInt(8) == 0 ? Optional.empty() : Optional.of(file), overrides));
            return input.toString();
        });
        assertTrue(outcome.read() > 0 && outcome.refused() > 0, "the fuzzer reached both outcomes: " + outcome);
    }

    /** Regression (found by the fuzzer): a value with a line break made the refusal two lines. */
    @Test
    void aLineBreakInAValueKeepsTheRefusalOneLine() {
        String message = assertThrows(BadInputException.class,
                () -> JobConfigLoader.load(Optional.empty(), List.of("training.threads-per-task=\"x\ny\""))).getMessage();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.contains("got 'x\\ny'"), message);
    }

    private static String edit(SplittableRandom random, String text, StringBuilder input) {
        StringBuilder out = new StringBuilder(text);
        for (int n = random.nextInt(4); n > 0; n--) {
            int at = random.nextInt(out.length() + 1);
            switch (random.nextInt(4)) {
                case 0 -> {
                    char c = SPECIAL.charAt(random.nextInt(SPECIAL.length()));
                    out.insert(at, c);
                    input.append(" insert ").append((int) c).append(" at ").append(at);
                }
                case 1 -> {
                    if (at < out.length()) {
                        input.append(" delete ").append((int) out.charAt(at)).append(" at ").append(at);
                        out.deleteCharAt(at);
                    }
                }
                case 2 -> {
                    String line = random.nextBoolean() ? keys.get(random.nextInt(keys.size())) + " = "
                            + VALUES[random.nextInt(VALUES.length)] : "sparkcnn." + keys.get(random.nextInt(keys.size()))
                            + " : " + VALUES[random.nextInt(VALUES.length)];
                    int lineStart = out.lastIndexOf("\n", Math.max(0, at - 1)) + 1;
                    out.insert(lineStart, line + "\n");
                    input.append(" line '").append(line).append("' at ").append(lineStart);
                }
                default -> {
                    int end = Math.min(out.length(), at + random.nextInt(40));
                    input.append(" cut ").append(at).append("..").append(end);
                    out.delete(at, end);
                }
            }
        }
        return out.toString();
    }

    private static String override(SplittableRandom random) {
        String key = random.nextInt(10) == 0 ? "no.such" + random.nextInt(3) : keys.get(random.nextInt(keys.size()));
        if (random.nextBoolean()) {
            key = "sparkcnn." + key;
        }
        String value = VALUES[random.nextInt(VALUES.length)];
        return switch (random.nextInt(12)) {
            case 0 -> key; // no '='
            case 1 -> "=" + value;
            case 2 -> key + " = " + value + "=" + value;
            default -> key + "=" + value;
        };
    }
}
