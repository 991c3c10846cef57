package org.sparkcnn.train;

import java.util.Arrays;
import java.util.List;

/**
 * The driver's answer to a {@link RendezvousRequest}.
 *
 * <p>It crosses the wire as JDK types only ({@link #toWire}): an executor deserialises RPC replies on a Netty
 * thread whose class loader does not see the application jar, and a reply of one of sparkcnn's classes there was
 * a ClassNotFoundException that dropped the connection to the driver, and with it the executor (seen on the
 * standalone cluster, 2026-12-02).
 *
 * @param messages every task's message by rank once all have arrived; empty while some are missing
 * @param missing  while incomplete, how many tasks have not arrived yet
 * @param refusal  why the request cannot be answered (the pass is over, or the sizes disagree); null if it can
 */
record RendezvousReply(List<String> messages, int missing, String refusal) {
    static RendezvousReply complete(List<String> messages) {
        return new RendezvousReply(List.copyOf(messages), 0, null);
    }

    static RendezvousReply waitingFor(int missing) {
        return new RendezvousReply(List.of(), missing, null);
    }

    static RendezvousReply refused(String why) {
        return new RendezvousReply(List.of(), 0, why);
    }

    boolean isComplete() {
        return refusal == null && missing == 0;
    }

    /** A {@code String[]} of the messages when complete, an {@code Integer} count while waiting, else the refusal. */
    Object toWire() {
        return refusal != null ? refusal : missing > 0 ? Integer.valueOf(missing) : messages.toArray(new String[0]);
    }

    /** @throws IllegalArgumentException when {@code wire} is none of what {@link #toWire} sends */
    static RendezvousReply fromWire(Object wire) {
        if (wire instanceof String[] all) {
            return complete(Arrays.asList(all));
        }
        if (wire instanceof Integer missing && missing > 0) {
            return waitingFor(missing);
        }
        if (wire instanceof String why) {
            return refused(why);
        }
        throw new IllegalArgumentException("not a rendezvous answer: " + wire);
    }
}
