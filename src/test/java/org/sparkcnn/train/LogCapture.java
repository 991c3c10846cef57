package org.sparkcnn.train;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

import java.util.ArrayList;
import java.util.List;

/** Collects what one logger writes, with when (System.nanoTime()), until closed. */
final class LogCapture extends AbstractAppender implements AutoCloseable {
    record Line(long nanos, String message) {
    }

    private final Logger logger;
    private final List<Line> lines = new ArrayList<>();

    private LogCapture(Logger logger) {
        super("capture-" + logger.getName(), null, null, true, Property.EMPTY_ARRAY);
        this.logger = logger;
    }

    static LogCapture of(Class<?> source) {
        LogCapture capture = new LogCapture((Logger) LogManager.getLogger(source));
        capture.start();
        capture.logger.addAppender(capture);
        return capture;
    }

    @Override
    public synchronized void append(LogEvent event) {
        lines.add(new Line(System.nanoTime(), event.getMessage().getFormattedMessage()));
    }

    /** The lines that contain {@code text}, in order. */
    synchronized List<Line> containing(String text) {
        return lines.stream().filter(l -> l.message().contains(text)).toList();
    }

    @Override
    public void close() {
        logger.removeAppender(this);
        stop();
    }
}
