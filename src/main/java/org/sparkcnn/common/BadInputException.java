package org.sparkcnn.common;

import java.util.regex.Pattern;

/**
 * A problem with what the user gave us (a file, a setting, a value), as opposed to a failure while running.
 * The message is one line that names the file or setting and says what was expected; the CLI prints it
 * as-is and exits with {@link ExitCode#BAD_INPUT}. Messages quote what the user gave, which may hold line
 * breaks (an override {@code key="a\nb"}, found by JobConfigLoaderFuzzTest): they are shown as {@code \n}
 * so that the message stays one line for schedulers' logs and exit-code handlers.
 */
public class BadInputException extends RuntimeException {
    private static final Pattern LINE_BREAK = Pattern.compile("\\R");

    public BadInputException(String message) {
        super(oneLine(message));
    }

    public BadInputException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** What went wrong, for a message: the first line of {@code cause}'s message, else its type. */
    public static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName()
                : message.lines().findFirst().orElse(message);
    }

    private static String oneLine(String message) {
        return message == null ? null : LINE_BREAK.matcher(message).replaceAll("\\\\n");
    }
}
