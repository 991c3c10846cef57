package org.sparkcnn.train;

import java.io.Serializable;

/**
 * A training task's turn at the driver's {@link RendezvousBoard}: here is what I tell my peers, and do you have
 * everyone's yet? Sent again until the answer is complete (see {@link PeerDiscovery}).
 *
 * @param groupId      the pass's group, opened by the driver before the stage started
 * @param stageAttempt the barrier stage's attempt: a second attempt must not meet the first one's tasks
 * @param rank         the task's partition
 * @param size         how many tasks the stage has
 * @param message      what this task tells the others (its ring address, its JVM, its minibatch count)
 */
record RendezvousRequest(long groupId, int stageAttempt, int rank, int size, String message) implements Serializable {
}
