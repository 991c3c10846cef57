package org.sparkcnn.allreduce;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Connects the peers of a {@link RingAllReduce}: each peer listens on an ephemeral port of its host,
 * the peers swap their addresses through some other channel (Spark's barrier allGather), then each one
 * connects to the next rank and accepts the previous one.
 *
 * <p>Every connection starts with a shared secret that the driver handed to all peers of this ring
 * only, so that a stray or hostile connection to the port is turned away instead of being summed into
 * the model.
 */
public final class RingConnector {
    private static final Logger LOG = LoggerFactory.getLogger(RingConnector.class);
    /** How often a peer waiting for its previous neighbour checks whether it should give up. */
    private static final long ABANDON_CHECK_MILLIS = 1_000;

    private RingConnector() {
    }

    /** Starts listening on an ephemeral port of {@code host}: do this before the addresses are swapped. */
    public static Listener listen(String host) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        return new Listener(server, host);
    }

    /** One peer's listening socket, until the ring is connected. */
    public static final class Listener implements AutoCloseable {
        private final ServerSocket server;
        private final String host;

        private Listener(ServerSocket server, String host) {
            this.server = server;
            this.host = host;
        }

        /** Where the previous peer connects: {@code host:port}. */
        public String address() {
            return host + ":" + server.getLocalPort();
        }

        /**
         * Connects this peer to its neighbours.
         *
         * @param rank      this peer's position in the ring
         * @param addresses every peer's {@link #address()}, by rank
         * @param secret    the ring's shared secret
         * @param timeout   how long to wait for a neighbour, here and in every later read
         */
        public RingAllReduce connect(int rank, List<String> addresses, byte[] secret, Duration timeout)
                throws IOException {
            return connect(rank, addresses, secret, timeout, () -> Thread.currentThread().isInterrupted());
        }

        /**
         * As {@link #connect(int, List, byte[], Duration)}, giving up early once {@code abandoned} says so.
         *
         * @param abandoned checked about once a second while waiting for the previous peer, e.g. "Spark killed
         *                  this task": a peer that died before connecting fails the stage, and Spark's kill does
         *                  not interrupt a blocked accept, so without it the survivors would wait the whole
         *                  {@code timeout} (600 s by default) before the pass could be retried
         */
        public RingAllReduce connect(int rank, List<String> addresses, byte[] secret, Duration timeout,
                                     BooleanSupplier abandoned) throws IOException {
            int size = addresses.size();
            if (size == 1) {
                return RingAllReduce.alone();
            }
            int timeoutMillis = Math.toIntExact(timeout.toMillis());
            int next = (rank + 1) % size;
            int previous = (rank + size - 1) % size;
            Socket toNext = new Socket();
            Socket fromPrevious = null;
            try {
                toNext.connect(socketAddress(addresses.get(next)), timeoutMillis);
                configure(toNext, timeoutMillis);
                DataOutputStream hello = new DataOutputStream(toNext.getOutputStream());
                hello.write(secret);
                hello.writeInt(rank);
                hello.flush();
                fromPrevious = acceptPeer(previous, secret, timeoutMillis, abandoned);
                return new RingAllReduce(rank, size, toNext, fromPrevious);
            } catch (IOException | RuntimeException e) {
                RingAllReduce.closeQuietly(toNext);
                RingAllReduce.closeQuietly(fromPrevious);
                throw e;
            }
        }

        /** Waits for the previous rank, turning away connections that do not know the secret. */
        private Socket acceptPeer(int expectedRank, byte[] secret, int timeoutMillis, BooleanSupplier abandoned)
                throws IOException {
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    throw new SocketTimeoutException("ring peer " + expectedRank + " did not connect to "
                            + address() + " within " + timeoutMillis + " ms");
                }
                if (abandoned.getAsBoolean()) {
                    throw new InterruptedIOException("gave up waiting for ring peer " + expectedRank
                            + ": this task was cancelled");
                }
                server.setSoTimeout((int) Math.min(left, ABANDON_CHECK_MILLIS));
                Socket candidate;
                try {
                    candidate = server.accept();
                } catch (SocketTimeoutException e) {
                    continue; // check the deadline and whether to give up
                }
                configure(candidate, timeoutMillis);
                try {
                    DataInputStream in = new DataInputStream(candidate.getInputStream());
                    byte[] offered = new byte[secret.length];
                    in.readFully(offered);
                    int theirRank = in.readInt();
                    if (MessageDigest.isEqual(offered, secret) && theirRank == expectedRank) {
                        return candidate;
                    }
                    LOG.warn("Ring port {} refused a connection from {}: not the expected peer {}",
                            server.getLocalPort(), candidate.getRemoteSocketAddress(), expectedRank);
                } catch (IOException e) {
                    LOG.warn("Ring port {} dropped a connection from {}: {}", server.getLocalPort(),
                            candidate.getRemoteSocketAddress(), e.toString());
                }
                RingAllReduce.closeQuietly(candidate);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static void configure(Socket socket, int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
    }

    /** Parses {@code host:port}, host possibly an IPv6 literal. */
    static InetSocketAddress socketAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("not a host:port address: '" + address + "'");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(address.substring(colon + 1)));
    }

    /** The host part of Spark's {@code host:port} executor address. */
    public static String hostOf(String address) {
        return socketAddress(address).getHostString();
    }
}
