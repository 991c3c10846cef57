package org.sparkcnn.allreduce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A man in the middle on loopback for one ring connection: forwards what a peer sends to its next
 * neighbour, records it, and can alter one byte of it or cut it short, as an attacker on the network
 * could. What the neighbour sends back is forwarded unchanged.
 */
final class Relay implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final long flipAt;
    private final long cutAt;
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    private volatile Socket client;
    private volatile Socket upstream;

    private Relay(InetSocketAddress target, long flipAt, long cutAt) throws IOException {
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.server.setSoTimeout(30_000);
        this.target = target;
        this.flipAt = flipAt;
        this.cutAt = cutAt;
        Thread t = new Thread(this::relay, "test-relay");
        t.setDaemon(true);
        t.start();
    }

    /** Forwards everything unchanged. */
    static Relay to(String address) throws IOException {
        return new Relay(RingConnector.socketAddress(address), -1, Long.MAX_VALUE);
    }

    /** Inverts the bits of the byte at {@code offset} of what the peer sends. */
    static Relay flipping(String address, long offset) throws IOException {
        return new Relay(RingConnector.socketAddress(address), offset, Long.MAX_VALUE);
    }

    /** Closes both connections once {@code length} bytes of what the peer sends went through. */
    static Relay cutting(String address, long length) throws IOException {
        return new Relay(RingConnector.socketAddress(address), -1, length);
    }

    /** Where the peer connects instead of its neighbour. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** What the peer sent so far. */
    synchronized byte[] recorded() {
        return recorded.toByteArray();
    }

    private void relay() {
        try {
            client = server.accept();
            upstream = new Socket(target.getAddress(), target.getPort());
            Thread back = new Thread(() -> pump(upstream, client, false), "test-relay-back");
            back.setDaemon(true);
            back.start();
            pump(client, upstream, true);
        } catch (IOException e) {
            // the test ends the relay by closing it
        } finally {
            close();
        }
    }

    private void pump(Socket from, Socket to, boolean forward) {
        byte[] buffer = new byte[64 * 1024];
        long position = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (forward) {
                    if (flipAt >= position && flipAt < position + n) {
                        buffer[(int) (flipAt - position)] ^= (byte) 0xff;
                    }
                    n = (int) Math.min(n, cutAt - position);
                    synchronized (this) {
                        recorded.write(buffer, 0, n);
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
                position += n;
                if (position >= cutAt) {
                    break;
                }
            }
        } catch (IOException e) {
            // one side closed: close the other
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        RingAllReduce.closeQuietly(server);
        RingAllReduce.closeQuietly(client);
        RingAllReduce.closeQuietly(upstream);
    }
}
