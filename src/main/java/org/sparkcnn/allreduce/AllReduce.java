package org.sparkcnn.allreduce;

import java.io.IOException;
import java.nio.FloatBuffer;

/** A group of peers that sum float vectors element-wise, every peer ending with the total. */
public interface AllReduce extends AutoCloseable {
    /** This peer's position in the group, 0-based. */
    int rank();

    /** Peers in the group. */
    int size();

    /**
     * Replaces {@code data} (positions 0 to its limit) by the element-wise sum of every peer's
     * {@code data}. All peers must call this with vectors of the same length, in the same order.
     *
     * @throws IOException when a peer fails, leaves or stays silent past the group's timeout; the group
     *                     is unusable afterwards
     */
    void sumInPlace(FloatBuffer data) throws IOException;

    /** Leaves the group; peers still waiting on this one fail instead of hanging. */
    @Override
    void close();
}
