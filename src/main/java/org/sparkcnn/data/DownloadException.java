package org.sparkcnn.data;

/**
 * A download that failed on every mirror. A runtime failure (network, mirror content), not bad user
 * input: the CLI reports it with the failure exit code. The message is one line naming each mirror tried
 * and why it failed, with credentials removed from the URLs.
 */
public class DownloadException extends RuntimeException {
    public DownloadException(String message) {
        super(message);
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
