package org.sparkcnn.allreduce;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Accepts connections on a ring port for as long as the port is open, and runs each one's handshake on
 * a thread of its own with its own short deadline: the first connection that proves it is the expected
 * peer becomes the ring's link, and a silent, slow or hostile one delays nobody. Every connection that
 * is not the link is closed and logged once, at WARN, with its address.
 *
 * <p>It keeps accepting after the ring is connected, so that connections made during the rounds are
 * turned away (and logged) rather than left in the kernel's queue.
 */
final class PeerAcceptor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerAcceptor.class);
    /**
     * Handshakes in progress at once: enough for many strangers without ever delaying the real peer,
     * bounded so that a flood of connections cannot exhaust the executor's threads.
     */
    static final int MAX_HANDSHAKES = 32;
    /** How often a peer waiting for its link checks whether it should give up. */
    private static final long CHECK_MILLIS = 1_000;

    /** The link: an authenticated connection from the expected peer. */
    record Admitted(Socket socket, RingHandshake.Session session) {
    }

    private final ServerSocket server;
    private final byte[] secret;
    private final RingHandshake.Link expected;
    private final Duration handshakeTimeout;
    private final CompletableFuture<Admitted> link = new CompletableFuture<>();
    private final Semaphore handshakeSlots = new Semaphore(MAX_HANDSHAKES);
    private final Set<Socket> inHandshake = ConcurrentHashMap.newKeySet();
    private final ExecutorService handshakes;
    private final Thread acceptor;
    private volatile boolean closed;
    /** Whether {@link #await} handed the link to a ring, which then owns its socket. */
    private volatile boolean claimed;

    PeerAcceptor(ServerSocket server, byte[] secret, RingHandshake.Link expected, Duration handshakeTimeout) {
        this.server = server;
        this.secret = secret.clone();
        this.expected = expected;
        this.handshakeTimeout = handshakeTimeout;
        int port = server.getLocalPort();
        this.handshakes = Executors.newCachedThreadPool(r -> daemon(r, "sparkcnn-ring-handshake-" + port));
        this.acceptor = daemon(this::acceptUntilClosed, "sparkcnn-ring-accept-" + port);
        acceptor.start();
    }

    private static Thread daemon(Runnable body, String name) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    private void acceptUntilClosed() {
        while (!closed) {
            Socket candidate;
            try {
                server.setSoTimeout(0); // accept blocks until a connection or until the port is closed
                candidate = server.accept();
            } catch (IOException e) {
                if (!closed && !server.isClosed()) {
                    link.completeExceptionally(new IOException("ring port " + server.getLocalPort()
                            + " stopped accepting: " + e, e));
                }
                return;
            }
            if (!handshakeSlots.tryAcquire()) {
                refuse(candidate, "more than " + MAX_HANDSHAKES + " handshakes at once");
                continue;
            }
            inHandshake.add(candidate);
            try {
                handshakes.execute(() -> vet(candidate));
            } catch (RejectedExecutionException e) { // closed meanwhile
                inHandshake.remove(candidate);
                handshakeSlots.release();
                refuse(candidate, "the ring port is closing");
            }
        }
    }

    private void vet(Socket candidate) {
        try {
            candidate.setTcpNoDelay(true);
            RingHandshake.Session session = RingHandshake.asListener(candidate, secret, expected,
                    RingHandshake.Deadline.in(handshakeTimeout, () -> closed));
            if (!link.complete(new Admitted(candidate, session))) {
                refuse(candidate, "the ring is already connected");
            }
        } catch (RingHandshake.RefusedException e) {
            refuse(candidate, e.getMessage());
        } catch (SocketTimeoutException e) {
            refuse(candidate, "too slow: " + e.getMessage() + " (" + handshakeTimeout.toMillis() + " ms)");
        } catch (IOException | RuntimeException e) {
            refuse(candidate, closed ? "the ring port closed during its handshake" : "it " + e.getMessage());
        } finally {
            inHandshake.remove(candidate);
            handshakeSlots.release();
        }
    }

    /** The one log line of a connection that is not the link. */
    private void refuse(Socket candidate, String why) {
        LOG.warn("Ring port {} refused a connection from {}: {}", server.getLocalPort(),
                candidate.getRemoteSocketAddress(), why);
        RingAllReduce.closeQuietly(candidate);
    }

    /**
     * Waits for the link.
     *
     * @param peerRank for messages: the rank expected to connect
     * @param address  for messages: this port's address
     */
    Admitted await(RingHandshake.Deadline deadline, int peerRank, String address) throws IOException {
        while (true) {
            long left = deadline.millisLeft();
            if (left <= 0) {
                throw new SocketTimeoutException("ring peer " + peerRank + " did not connect to " + address + " in time");
            }
            if (deadline.abandoned().getAsBoolean()) {
                throw new InterruptedIOException("gave up waiting for ring peer " + peerRank
                        + ": this task was cancelled");
            }
            try {
                Admitted admitted = link.get(Math.min(left, CHECK_MILLIS), TimeUnit.MILLISECONDS);
                claimed = true;
                return admitted;
            } catch (TimeoutException e) {
                // check the deadline and whether to give up, then wait again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for ring peer " + peerRank);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
    }

    /** Stops the handshakes in progress (each still logged once); the accept loop ends with the port. */
    @Override
    public void close() {
        closed = true;
        handshakes.shutdownNow();
        for (Socket s : inHandshake) {
            RingAllReduce.closeQuietly(s);
        }
        // a link admitted after its peer stopped waiting belongs to nobody
        if (!link.cancel(false) && !claimed && !link.isCompletedExceptionally()) {
            RingAllReduce.closeQuietly(link.join().socket());
        }
    }
}
