package org.sparkcnn.common;

/**
 * A problem with what the user gave us (a file, a setting, a value), as opposed to a failure while running.
 * The message is one line that names the file or setting and says what was expected; the CLI prints it
 * as-is and exits with {@link ExitCode#BAD_INPUT}.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
