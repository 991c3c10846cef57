package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Peers on threads of this JVM, as Spark local mode runs them. */
@Timeout(60)
class SharedMemoryAllReduceTest {

    @Test
    void everyPeerEndsWithTheSumOverManyRounds() throws Exception {
        for (int peers : new int[] {1, 2, 3}) {
            int length = 200_003; // more than one chunk, not divisible by the peers
            List<FloatBuffer> results = LocalGroup.run(LocalGroup.Transport.SHARED_MEMORY, peers, Duration.ofSeconds(20),
                    Duration.ofSeconds(40), (rank, group) -> {
                        FloatBuffer data = direct(length);
                        for (int i = 0; i < length; i++) {
                            data.put(i, rank + i % 7);
                        }
                        for (int round = 0; round < 5; round++) {
                            group.sumInPlace(data);
                        }
                        return data;
                    });
            // each round multiplies by the peer count after the first: sum_r(r + i%7) * peers^4
            for (FloatBuffer result : results) {
                for (int i : new int[] {0, 1, 6, 100_000, length - 1}) {
                    float first = peers * (peers - 1) / 2f + peers * (i % 7);
                    assertEquals(first * (float) Math.pow(peers, 4), result.get(i), 1e-3f * first * Math.pow(peers, 4));
                }
            }
        }
    }

    @Test
    void aPeerThatFailsWakesTheOthersWithAnError() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> waiting = pool.submit(() -> {
                try (SharedMemoryAllReduce group = SharedMemoryAllReduce.join("fail", 0, 2, Duration.ofSeconds(30))) {
                    group.sumInPlace(direct(10));
                }
                return null;
            });
            Future<?> leaving = pool.submit(() -> {
                SharedMemoryAllReduce group = SharedMemoryAllReduce.join("fail", 1, 2, Duration.ofSeconds(30));
                Thread.sleep(300); // the other peer is waiting by now
                group.close(); // as a task whose training threw would
                return null;
            });
            leaving.get(10, TimeUnit.SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static FloatBuffer direct(int length) {
        return ByteBuffer.allocateDirect(length * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
