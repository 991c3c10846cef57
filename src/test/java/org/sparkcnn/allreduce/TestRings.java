package org.sparkcnn.allreduce;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Rings of peers on threads of the test, each peer told its own list of addresses. */
final class TestRings {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);

    private TestRings() {
    }

    /**
     * Connects one peer per listener and runs {@code body} on each.
     *
     * @param addresses the addresses each rank is given: a test can send one peer through a {@link Relay}
     */
    static <T> List<T> runPeers(List<RingConnector.Listener> listeners, IntFunction<List<String>> addresses,
                                boolean encrypt, LocalGroup.Peer<T> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(listeners.size());
        try {
            List<Future<T>> peers = new ArrayList<>();
            for (int rank = 0; rank < listeners.size(); rank++) {
                int r = rank;
                peers.add(pool.submit(() -> {
                    try (RingAllReduce ring = listeners.get(r).connect(r, addresses.apply(r), SECRET, encrypt,
                            PEER_TIMEOUT)) {
                        return body.run(r, ring);
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> peer : peers) {
                results.add(peer.get(40, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code length} copies of {@code value} in a direct buffer, as the trainer's vectors are. */
    static FloatBuffer direct(int length, float value) {
        FloatBuffer buffer = ByteBuffer.allocateDirect(length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < length; i++) {
            buffer.put(i, value);
        }
        return buffer;
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
