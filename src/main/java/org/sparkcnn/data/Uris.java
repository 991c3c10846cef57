package org.sparkcnn.data;

import java.net.URI;

/** Turns URIs into text that is safe to log or put in an error message. */
final class Uris {
    private Uris() {
    }

    /**
     * The URI without credentials: user-info ({@code user:password@}) is dropped and a query string
     * (pre-signed URLs carry tokens there) is replaced by {@code ?...}.
     */
    static String redact(URI uri) {
        if (uri.getRawUserInfo() == null && uri.getRawQuery() == null) {
            return uri.toString();
        }
        StringBuilder sb = new StringBuilder();
        if (uri.getScheme() != null) {
            sb.append(uri.getScheme()).append(':');
        }
        if (uri.getRawAuthority() != null) {
            sb.append("//");
            if (uri.getHost() != null) {
                sb.append(uri.getHost());
                if (uri.getPort() >= 0) {
                    sb.append(':').append(uri.getPort());
                }
            } else {
                // registry-based authority we cannot split: drop everything up to the last '@'
                String auth = uri.getRawAuthority();
                sb.append(auth.substring(auth.lastIndexOf('@') + 1));
            }
        }
        if (uri.getRawPath() != null) {
            sb.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            sb.append("?...");
        }
        if (uri.getRawFragment() != null) {
            sb.append('#').append(uri.getRawFragment());
        }
        return sb.toString();
    }
}
