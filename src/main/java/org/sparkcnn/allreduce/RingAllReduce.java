package org.sparkcnn.allreduce;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sums a float vector across the peers of a ring, in place on every peer: a reduce-scatter followed by
 * an all-gather, N-1 steps each. Every peer sends and receives 2(N-1)/N of the vector per call whatever
 * the number of peers, which is why data-parallel trainers (Horovod, NCCL) average gradients this way.
 *
 * <p>A peer only talks to its two neighbours: it sends to the next rank and receives from the previous
 * one, over connections made by {@link RingConnector}, each chunk encrypted and authenticated when the
 * ring is ({@link FrameCipher}). An instance is used by one thread at a time.
 */
public final class RingAllReduce implements AllReduce {
    /** Floats per socket write; also the size of the two scratch buffers. */
    private static final int CHUNK_FLOATS = 256 * 1024;
    /** Byte order on the wire, whatever the hosts' native order. */
    static final ByteOrder WIRE_ORDER = ByteOrder.LITTLE_ENDIAN;

    private final int rank;
    private final int size;
    private final Socket toNext;
    private final Socket fromPrevious;
    private final OutputStream out;
    private final DataInputStream in;
    /** Encrypts what goes to the next peer, or null when the ring is not encrypted. */
    private final FrameCipher sealer;
    /** Decrypts what comes from the previous peer, or null when the ring is not encrypted. */
    private final FrameCipher opener;
    /**
     * Sending runs on a thread of its own while this thread receives: if both neighbours first sent a
     * whole chunk and only then read, two chunks larger than the socket buffers would block each other.
     */
    private final ExecutorService sender;
    private final byte[] sendScratch = new byte[CHUNK_FLOATS * Float.BYTES];
    private final byte[] receiveScratch = new byte[CHUNK_FLOATS * Float.BYTES];
    /** The chunk as it crosses the network when encrypted: its frames, each ciphertext and tag. */
    private final byte[] sendFrame;
    private final byte[] receiveFrame;
    /** Heap copies for the additions: a loop over two float arrays vectorises, one over direct buffers not. */
    private final float[] incoming = new float[CHUNK_FLOATS];
    private final float[] local = new float[CHUNK_FLOATS];

    /** A ring of one: {@link #sumInPlace} has nothing to add. */
    static RingAllReduce alone() {
        return new RingAllReduce(0, 1, null, null, null, null);
    }

    /**
     * @param sealer encrypts what goes to {@code toNext}, null to send the floats as they are
     * @param opener decrypts what comes from {@code fromPrevious}, null when it is not encrypted
     */
    RingAllReduce(int rank, int size, Socket toNext, FrameCipher sealer, Socket fromPrevious, FrameCipher opener) {
        this.rank = rank;
        this.size = size;
        this.toNext = toNext;
        this.fromPrevious = fromPrevious;
        this.sealer = sealer;
        this.opener = opener;
        this.sendFrame = sealer == null ? null : new byte[FrameCipher.sealedLength(sendScratch.length)];
        this.receiveFrame = opener == null ? null : new byte[FrameCipher.sealedLength(receiveScratch.length)];
        try {
            this.out = toNext == null ? null : toNext.getOutputStream();
            this.in = fromPrevious == null ? null : new DataInputStream(fromPrevious.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("ring sockets are not connected", e);
        }
        this.sender = size == 1 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sparkcnn-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void sumInPlace(FloatBuffer data) throws IOException {
        if (size == 1) {
            return;
        }
        int length = data.limit();
        // reduce-scatter: after step s, chunk (rank - s - 1) holds the sum of s + 2 peers
        for (int s = 0; s < size - 1; s++) {
            exchange(data, length, chunk(rank - s), chunk(rank - s - 1), true);
        }
        // all-gather: this peer now owns the full sum of chunk (rank + 1); pass the sums around
        for (int s = 0; s < size - 1; s++) {
            exchange(data, length, chunk(rank + 1 - s), chunk(rank - s), false);
        }
    }

    private int chunk(int index) {
        return Math.floorMod(index, size);
    }

    private int chunkStart(int chunk, int length) {
        return (int) ((long) length * chunk / size);
    }

    private void exchange(FloatBuffer data, int length, int sendChunk, int receiveChunk, boolean add)
            throws IOException {
        int sendFrom = chunkStart(sendChunk, length);
        int sendTo = chunkStart(sendChunk + 1, length);
        Future<?> sent = sender.submit(() -> {
            send(data, sendFrom, sendTo);
            return null;
        });
        receive(data, chunkStart(receiveChunk, length), chunkStart(receiveChunk + 1, length), add);
        try {
            // bounded like a read: a write to a peer that stopped reading blocks once the socket buffers
            // are full, and TCP has no write timeout
            int timeoutMillis = fromPrevious.getSoTimeout();
            sent.get(timeoutMillis == 0 ? Long.MAX_VALUE : timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("the next peer did not take this peer's data within "
                    + fromPrevious.getSoTimeout() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending to the next peer", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("sending to the next peer failed", e.getCause());
        }
    }

    private void send(FloatBuffer data, int from, int to) throws IOException {
        FloatBuffer scratch = ByteBuffer.wrap(sendScratch).order(WIRE_ORDER).asFloatBuffer();
        for (int pos = from; pos < to; pos += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, to - pos);
            scratch.clear();
            scratch.put(data.slice(pos, n));
            if (sealer == null) {
                out.write(sendScratch, 0, n * Float.BYTES);
            } else {
                out.write(sendFrame, 0, sealer.sealAll(sendScratch, n * Float.BYTES, sendFrame));
            }
        }
        out.flush();
    }

    private void receive(FloatBuffer data, int from, int to, boolean add) throws IOException {
        FloatBuffer scratch = ByteBuffer.wrap(receiveScratch).order(WIRE_ORDER).asFloatBuffer();
        for (int pos = from; pos < to; pos += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, to - pos);
            if (opener == null) {
                in.readFully(receiveScratch, 0, n * Float.BYTES);
            } else {
                // both ends know the chunk's length: a frame cut short fails here or at its tag
                in.readFully(receiveFrame, 0, FrameCipher.sealedLength(n * Float.BYTES));
                opener.openAll(receiveFrame, n * Float.BYTES, receiveScratch);
            }
            if (add) {
                scratch.get(0, incoming, 0, n);
                data.get(pos, local, 0, n);
                for (int i = 0; i < n; i++) {
                    local[i] += incoming[i];
                }
                data.put(pos, local, 0, n);
            } else {
                data.slice(pos, n).put(scratch.limit(n));
                scratch.clear();
            }
        }
    }

    @Override
    public void close() {
        if (sender != null) {
            sender.shutdownNow();
        }
        closeQuietly(toNext);
        closeQuietly(fromPrevious);
    }

    static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // closing after a failure or at the end: nothing left to save
        }
    }

    /** For tests and logs. */
    @Override
    public String toString() {
        return (sealer == null ? "ring" : "encrypted ring") + " rank " + rank + "/" + size;
    }
}
