package org.sparkcnn.train;

import java.io.Serializable;
import java.util.List;

/**
 * The driver's answer to a {@link RendezvousRequest}.
 *
 * @param messages every task's message by rank once all have arrived; empty while some are missing
 * @param missing  while incomplete, how many tasks have not arrived yet
 * @param refusal  why the request cannot be answered (the pass is over, or the sizes disagree); null if it can
 */
record RendezvousReply(List<String> messages, int missing, String refusal) implements Serializable {
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
}
