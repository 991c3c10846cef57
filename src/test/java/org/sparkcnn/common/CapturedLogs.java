package org.sparkcnn.common;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects what one class logs through SLF4J while it is open (the tests log through log4j2, see
 * log4j2-test.properties), so that a test can assert what was logged and how often.
 */
public final class CapturedLogs implements AutoCloseable {
    /** One line as logged, and when ({@link System#nanoTime()}). */
    public record Line(Level level, String message, long nanos) {
        /** "WARN message". */
        @Override
        public String toString() {
            return level + " " + message;
        }
    }

    private final String loggerName;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final LoggerConfig config;

    private CapturedLogs(Class<?> source) {
        this.loggerName = source.getName();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = context.getConfiguration();
        this.appender = new AbstractAppender("captured-" + loggerName + "-" + System.nanoTime(), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().equals(loggerName)) {
                    lines.add(new Line(event.getLevel(), event.getMessage().getFormattedMessage(), System.nanoTime()));
                }
            }
        };
        appender.start();
        this.config = configuration.getLoggerConfig(loggerName);
        config.addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    /** Starts capturing what {@code source}'s logger writes at the levels the test configuration lets through. */
    public static CapturedLogs of(Class<?> source) {
        return new CapturedLogs(source);
    }

    /** Every line so far. */
    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** Every line so far as "LEVEL message". */
    public List<String> texts() {
        return lines.stream().map(Line::toString).toList();
    }

    /** The lines so far that contain {@code text}, in order. */
    public List<Line> containing(String text) {
        return lines.stream().filter(l -> l.message().contains(text)).toList();
    }

    /** How many WARN lines so far contain {@code text}. */
    public long warningsContaining(String text) {
        return lines.stream().filter(l -> l.level() == Level.WARN && l.message().contains(text)).count();
    }

    @Override
    public void close() {
        config.removeAppender(appender.getName());
        ((LoggerContext) LogManager.getContext(false)).updateLoggers();
        appender.stop();
    }
}
