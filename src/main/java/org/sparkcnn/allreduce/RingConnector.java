package org.sparkcnn.allreduce;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Connects the peers of a {@link RingAllReduce}: each peer listens on an ephemeral port of its host,
 * the peers swap their addresses through some other channel (Spark's barrier allGather), then each one
 * connects to the next rank and accepts the previous one.
 *
 * <p>Every connection starts with a {@link RingHandshake}: both ends prove that they know the secret the
 * driver handed to this ring's peers only, without sending it, so that a stray or hostile connection
 * is turned away instead of being summed into the model. A port's connections are vetted concurrently,
 * each with its own {@link #HANDSHAKE_TIMEOUT}, so that a silent one cannot keep the real peer waiting
 * (see {@link PeerAcceptor}). With {@code encrypt}, every frame of the parameters is encrypted and
 * authenticated with keys of that connection ({@link FrameCipher}).
 */
public final class RingConnector {
    /**
     * How long a connection to a ring port has to complete its handshake. A real peer sends its part
     * at once (three messages of at most 64 bytes: milliseconds even on a busy network); the deadline
     * only bounds what a stranger can hold, and strangers are served in parallel anyway.
     */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private RingConnector() {
    }

    /** Starts listening on an ephemeral port of {@code host}: do this before the addresses are swapped. */
    public static Listener listen(String host) throws IOException {
        return listen(host, HANDSHAKE_TIMEOUT);
    }

    /**
     * As {@link #listen(String)} with another handshake deadline: for tests, and for the bench's peers on a
     * machine oversubscribed on purpose (8 ring JVMs starting at once on 2 shared cores took more than 5 s
     * for a handshake, and a connection dropped by its listener after the connector finished its side is
     * not made again: that ring never forms).
     */
    public static Listener listen(String host, Duration handshakeTimeout) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        return new Listener(server, host, handshakeTimeout);
    }

    /** One peer's listening socket: it turns strangers away until it is closed. */
    public static final class Listener implements AutoCloseable {
        private final ServerSocket server;
        private final String host;
        private final Duration handshakeTimeout;
        private PeerAcceptor acceptor;

        private Listener(ServerSocket server, String host, Duration handshakeTimeout) {
            this.server = server;
            this.host = host;
            this.handshakeTimeout = handshakeTimeout;
        }

        /** Where the previous peer connects: {@code host:port}. */
        public String address() {
            return host + ":" + server.getLocalPort();
        }

        /**
         * Connects this peer to its neighbours, without encrypting the parameters.
         *
         * @param rank      this peer's position in the ring
         * @param addresses every peer's {@link #address()}, by rank
         * @param secret    the ring's shared secret
         * @param timeout   how long to wait for a neighbour, here and in every later read
         */
        public RingAllReduce connect(int rank, List<String> addresses, byte[] secret, Duration timeout)
                throws IOException {
            return connect(rank, addresses, secret, false, timeout);
        }

        /** As {@link #connect(int, List, byte[], Duration)}, encrypting the parameters when {@code encrypt}. */
        public RingAllReduce connect(int rank, List<String> addresses, byte[] secret, boolean encrypt,
                                     Duration timeout) throws IOException {
            return connect(rank, addresses, secret, encrypt, timeout, () -> Thread.currentThread().isInterrupted());
        }

        /** As {@link #connect(int, List, byte[], boolean, Duration, BooleanSupplier)}, not encrypted. */
        public RingAllReduce connect(int rank, List<String> addresses, byte[] secret, Duration timeout,
                                     BooleanSupplier abandoned) throws IOException {
            return connect(rank, addresses, secret, false, timeout, abandoned);
        }

        /**
         * As {@link #connect(int, List, byte[], boolean, Duration)}, giving up early once {@code abandoned} says so.
         *
         * @param encrypt   encrypt and authenticate every frame (AES-GCM); both ends must agree
         * @param abandoned checked about once a second while waiting for a neighbour, e.g. "Spark killed
         *                  this task": a peer that died before connecting fails the stage, and Spark's kill does
         *                  not interrupt a blocked wait, so without it the survivors would wait the whole
         *                  {@code timeout} (600 s by default) before the pass could be retried
         */
        public RingAllReduce connect(int rank, List<String> addresses, byte[] secret, boolean encrypt,
                                     Duration timeout, BooleanSupplier abandoned) throws IOException {
            int size = addresses.size();
            if (size == 1) {
                return RingAllReduce.alone();
            }
            if (acceptor != null) {
                throw new IllegalStateException("this listener already connected a ring");
            }
            int timeoutMillis = Math.toIntExact(timeout.toMillis());
            int next = (rank + 1) % size;
            int previous = (rank + size - 1) % size;
            // accepting starts before connecting out: every peer's outgoing handshake needs its next
            // neighbour to answer, so none may wait for its own before serving the previous one
            if (encrypt) {
                FrameCipher.warmUpOnce();
            }
            acceptor = new PeerAcceptor(server, secret, new RingHandshake.Link(size, previous, rank, encrypt),
                    handshakeTimeout);
            RingHandshake.Deadline deadline = RingHandshake.Deadline.in(timeout, abandoned);
            Socket toNext = new Socket();
            Socket fromPrevious = null;
            try {
                toNext.connect(socketAddress(addresses.get(next)), timeoutMillis);
                toNext.setTcpNoDelay(true);
                RingHandshake.Session outgoing;
                try {
                    outgoing = RingHandshake.asConnector(toNext, secret,
                            new RingHandshake.Link(size, rank, next, encrypt), deadline);
                } catch (InterruptedIOException e) {
                    throw new InterruptedIOException("gave up waiting for ring peer " + next + ": " + e.getMessage());
                } catch (IOException e) {
                    throw new IOException("ring peer " + next + " at " + addresses.get(next) + " failed the handshake: "
                            + e.getMessage(), e);
                }
                PeerAcceptor.Admitted incoming = acceptor.await(deadline, previous, address());
                fromPrevious = incoming.socket();
                toNext.setSoTimeout(timeoutMillis);
                fromPrevious.setSoTimeout(timeoutMillis);
                return new RingAllReduce(rank, size, toNext, outgoing.send(), fromPrevious, incoming.session().receive());
            } catch (IOException | RuntimeException e) {
                RingAllReduce.closeQuietly(toNext);
                RingAllReduce.closeQuietly(fromPrevious);
                throw e;
            }
        }

        /** Stops accepting; a ring already connected is not affected. */
        @Override
        public void close() throws IOException {
            server.close();
            if (acceptor != null) {
                acceptor.close();
            }
        }
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
