package org.sparkcnn.allreduce;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A ring peer in a process of its own, for {@link KilledPeerTest}: rank 1 of a ring of 2 whose rank 0 is
 * the test. Reads the secret and the test's address on stdin (never the command line), prints its own
 * address and then a line per completed all-reduce, until killed or after 1,000 calls.
 */
public final class RingPeerProcess {
    private RingPeerProcess() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        byte[] secret = HexFormat.of().parseHex(in.readLine());
        int length = Integer.parseInt(args[0]);
        try (RingConnector.Listener listener = RingConnector.listen("127.0.0.1")) {
            System.out.println("ADDRESS " + listener.address());
            System.out.flush();
            String rankZero = in.readLine();
            try (AllReduce ring = listener.connect(1, List.of(rankZero, listener.address()), secret,
                    Duration.ofSeconds(30))) {
                FloatBuffer data = SharedMemoryAllReduceTest.direct(length);
                for (int call = 1; call <= 1000; call++) {
                    ring.sumInPlace(data);
                    System.out.println("CALL " + call);
                    System.out.flush();
                }
            }
        }
    }
}
