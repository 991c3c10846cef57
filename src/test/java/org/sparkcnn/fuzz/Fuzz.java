package org.sparkcnn.fuzz;

import org.sparkcnn.common.BadInputException;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs seeded fuzz cases against an input reader for a time budget and holds each to the project's rule
 * for bad input: it reads, or it is refused with a {@link BadInputException} whose message is one line.
 * Any other exception, an error (OutOfMemoryError included) or a case that runs longer than
 * {@link #CASE_TIMEOUT} fails the test, naming the case's seed so that it can be replayed alone.
 *
 * <p>System properties: {@code fuzz.seconds} (budget per target, at least {@value #MIN_CASES} cases; CI's
 * default keeps the three targets at about 30 s together), {@code fuzz.seed} (the run's seed),
 * {@code fuzz.case} (replay that one case seed).
 */
public final class Fuzz {
    /** Per case: a correct reader decides on these inputs (a few KB to 40 KB) in milliseconds. */
    public static final Duration CASE_TIMEOUT = Duration.ofSeconds(10);
    private static final long DEFAULT_SEED = 20261201L;
    /** At least this many cases whatever the budget, so that a slow machine still covers both outcomes. */
    private static final int MIN_CASES = 100;

    /** One fuzz case: builds its input from {@code random} and reads it; describes the input for a failure. */
    @FunctionalInterface
    public interface Case {
        /** @return a description of the input (or the value read), for the log of a failing case */
        String run(SplittableRandom random, StringBuilder input) throws Exception;
    }

    /** What a run did, for the test's log and assertions. */
    public record Outcome(String target, long cases, long read, long refused, Duration took) {
        @Override
        public String toString() {
            return String.format("%s: %d cases in %.1f s (%d read, %d refused as bad input), seed %d", target, cases,
                    took.toMillis() / 1000.0, read, refused, Long.getLong("fuzz.seed", DEFAULT_SEED));
        }
    }

    private Fuzz() {
    }

    /**
     * Runs cases until {@code ciSeconds} (or {@code -Dfuzz.seconds}) pass; each case gets its own seed derived
     * from the run's seed and the case number.
     */
    public static Outcome run(String target, int ciSeconds, Case fuzzCase) {
        long budgetNanos = TimeUnit.SECONDS.toNanos(Long.getLong("fuzz.seconds", ciSeconds));
        Long only = Long.getLong("fuzz.case");
        SplittableRandom seeds = new SplittableRandom(Long.getLong("fuzz.seed", DEFAULT_SEED) ^ target.hashCode());
        long start = System.nanoTime();
        long cases = 0;
        long read = 0;
        long refused = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + target);
            t.setDaemon(true);
            return t;
        });
        try {
            do {
                long caseSeed = only != null ? only : seeds.nextLong();
                StringBuilder input = new StringBuilder();
                Throwable thrown = runOne(worker, fuzzCase, caseSeed, input);
                cases++;
                if (thrown == null) {
                    read++;
                } else if (thrown instanceof BadInputException bad) {
                    String message = bad.getMessage();
                    assertTrue(message != null && !message.isBlank() && message.lines().count() == 1,
                            () -> target + " case seed " + caseSeed + " (" + input + "): bad-input message is not one line: "
                                    + message);
                    refused++;
                } else {
                    throw new AssertionError(target + " case seed " + caseSeed + " (replay: -Dfuzz.case=" + caseSeed
                            + "): " + input + ": " + thrown, thrown);
                }
            } while (only == null && (cases < MIN_CASES || System.nanoTime() - start < budgetNanos));
        } finally {
            worker.shutdownNow();
        }
        Outcome outcome = new Outcome(target, cases, read, refused, Duration.ofNanos(System.nanoTime() - start));
        System.out.println("fuzz " + outcome);
        return outcome;
    }

    /** Runs one case on the worker thread, bounded by {@link #CASE_TIMEOUT}; returns what it threw, if anything. */
    private static Throwable runOne(ExecutorService worker, Case fuzzCase, long caseSeed, StringBuilder input) {
        Future<Throwable> result = worker.submit(() -> {
            try {
                fuzzCase.run(new SplittableRandom(caseSeed), input);
                return null;
            } catch (Throwable t) { // OutOfMemoryError and every other error count as a defect
                return t;
            }
        });
        try {
            return result.get(CASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
            fail("case seed " + caseSeed + " (" + input + ") ran longer than " + CASE_TIMEOUT + " (replay: -Dfuzz.case="
                    + caseSeed + ")");
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }

    /** Flips {@code flips} random bits of {@code bytes} in place, at or after {@code from}. */
    public static void flipBits(SplittableRandom random, byte[] bytes, int from, int flips, StringBuilder input) {
        for (int i = 0; i < flips && bytes.length > from; i++) {
            int at = random.nextInt(from, bytes.length);
            int bit = random.nextInt(8);
            bytes[at] ^= (byte) (1 << bit);
            input.append(" flip byte ").append(at).append(" bit ").append(bit);
        }
    }

    /** An int that is often at an edge: 0, 1, -1, the extremes, near {@code typical}, or anything. */
    public static int edgyInt(SplittableRandom random, int typical) {
        return switch (random.nextInt(8)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> Integer.MAX_VALUE;
            case 4 -> Integer.MIN_VALUE;
            case 5 -> typical + random.nextInt(-2, 3);
            case 6 -> random.nextInt(1 << 16);
            default -> random.nextInt();
        };
    }
}
