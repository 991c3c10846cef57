package org.sparkcnn.allreduce;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * The start of every ring connection: both ends prove they know the ring's secret without sending it,
 * and derive this connection's keys. Three messages, the connecting peer first:
 * <pre>
 *   hello     connector → listener   "SCNR", version, flags (encrypt), ring size, connector rank,
 *                                    listener rank, connector nonce (32 random bytes)
 *   challenge listener  → connector  listener nonce (32 random bytes), HMAC(k, "listener"  | transcript)
 *   proof     connector → listener   HMAC(k, "connector" | transcript)
 * </pre>
 * {@code transcript} is the hello followed by the listener's nonce, and {@code k} is derived from the
 * secret (HKDF-SHA256). Each side's MAC covers the other side's fresh nonce, so a recorded proof is
 * worthless on any later connection; it covers both ranks, the ring size and which end speaks, so a
 * proof cannot be moved to another place in the ring or sent back to its author; and the secret is
 * new for each pass attempt, so it also names the ring. Both MACs are compared in constant time.
 *
 * <p>The traffic keys are HKDF-SHA256 of the secret with the transcript's hash as salt: one AES-128
 * key per direction, new for every connection because both nonces are in the transcript.
 */
final class RingHandshake {
    static final byte[] MAGIC = "SCNR".getBytes(StandardCharsets.US_ASCII);
    static final byte VERSION = 1;
    static final int NONCE_BYTES = 32;
    static final int MAC_BYTES = 32;
    static final int HELLO_BYTES = MAGIC.length + 2 + 3 * Integer.BYTES + NONCE_BYTES;
    static final int CHALLENGE_BYTES = NONCE_BYTES + MAC_BYTES;
    /** Everything the connecting peer sends before the ring's own traffic. */
    static final int CONNECTOR_BYTES = HELLO_BYTES + MAC_BYTES;
    /** AES-128, as Spark's own {@code spark.network.crypto.keyLength} default. */
    private static final int KEY_BYTES = 16;
    private static final byte FLAG_ENCRYPT = 1;
    /** How often a wait checks whether it should give up, e.g. because Spark killed the task. */
    private static final long CHECK_MILLIS = 1_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Where a connection stands once both ends trust each other: the ciphers, or none without encryption. */
    record Session(FrameCipher send, FrameCipher receive) {
        static final Session PLAIN = new Session(null, null);
    }

    /** The handshake's view of one connection's place in the ring. */
    record Link(int size, int connectorRank, int listenerRank, boolean encrypt) {
    }

    /** When a wait must end, and what else ends it early. */
    record Deadline(long nanos, BooleanSupplier abandoned) {
        static Deadline in(Duration timeout, BooleanSupplier abandoned) {
            return new Deadline(System.nanoTime() + timeout.toNanos(), abandoned);
        }

        long millisLeft() {
            return (nanos - System.nanoTime()) / 1_000_000L;
        }
    }

    /** The other end is not a peer of this ring, or not the expected one; the message is safe to log. */
    static final class RefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }
    }

    private RingHandshake() {
    }

    /**
     * The connecting peer's side.
     *
     * @throws RefusedException when the listener cannot prove it knows the secret
     */
    static Session asConnector(Socket socket, byte[] secret, Link link, Deadline deadline) throws IOException {
        byte[] hello = hello(link, nonce());
        OutputStream out = socket.getOutputStream();
        out.write(hello);
        out.flush();
        byte[] challenge = new byte[CHALLENGE_BYTES];
        readFully(socket, challenge, deadline, "the handshake's answer");
        byte[] transcript = transcript(hello, Arrays.copyOf(challenge, NONCE_BYTES));
        byte[] keys = authKey(secret);
        if (!MessageDigest.isEqual(mac(keys, "listener", transcript),
                Arrays.copyOfRange(challenge, NONCE_BYTES, CHALLENGE_BYTES))) {
            throw new RefusedException("it does not prove it knows this ring's secret");
        }
        out.write(mac(keys, "connector", transcript));
        out.flush();
        return session(secret, transcript, link.encrypt(), true);
    }

    /**
     * The listening peer's side: answers only a hello that names this place in the ring.
     *
     * @throws RefusedException when the other end is not the expected peer of this ring
     */
    static Session asListener(Socket socket, byte[] secret, Link expected, Deadline deadline) throws IOException {
        byte[] hello = new byte[HELLO_BYTES];
        readFully(socket, hello, deadline, "the handshake");
        checkHello(hello, expected);
        byte[] listenerNonce = nonce();
        byte[] transcript = transcript(hello, listenerNonce);
        byte[] keys = authKey(secret);
        OutputStream out = socket.getOutputStream();
        out.write(listenerNonce);
        out.write(mac(keys, "listener", transcript));
        out.flush();
        byte[] proof = new byte[MAC_BYTES];
        readFully(socket, proof, deadline, "the handshake's proof");
        if (!MessageDigest.isEqual(mac(keys, "connector", transcript), proof)) {
            throw new RefusedException("wrong proof of the ring's secret (another secret, or a replayed handshake)");
        }
        return session(secret, transcript, expected.encrypt(), false);
    }

    static byte[] hello(Link link, byte[] connectorNonce) {
        return ByteBuffer.allocate(HELLO_BYTES).put(MAGIC).put(VERSION).put(link.encrypt() ? FLAG_ENCRYPT : 0)
                .putInt(link.size()).putInt(link.connectorRank()).putInt(link.listenerRank()).put(connectorNonce)
                .array();
    }

    private static void checkHello(byte[] hello, Link expected) throws RefusedException {
        ByteBuffer b = ByteBuffer.wrap(hello);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new RefusedException("not a sparkcnn ring handshake");
        }
        byte version = b.get();
        boolean encrypt = b.get() == FLAG_ENCRYPT;
        Link offered = new Link(b.getInt(), b.getInt(), b.getInt(), encrypt);
        if (version != VERSION) {
            throw new RefusedException("handshake version " + version + ", this peer speaks " + VERSION);
        }
        if (!offered.equals(expected)) {
            throw new RefusedException("it offers " + describe(offered) + ", this port expects " + describe(expected));
        }
    }

    private static String describe(Link link) {
        return "rank " + link.connectorRank() + " to rank " + link.listenerRank() + " of " + link.size()
                + (link.encrypt() ? ", encrypted" : ", not encrypted");
    }

    static byte[] nonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    static byte[] transcript(byte[] hello, byte[] listenerNonce) {
        byte[] transcript = Arrays.copyOf(hello, hello.length + listenerNonce.length);
        System.arraycopy(listenerNonce, 0, transcript, hello.length, listenerNonce.length);
        return transcript;
    }

    /** The MAC key: never the secret itself, so the secret serves one purpose per derived key. */
    static byte[] authKey(byte[] secret) {
        return expand(extract(bytes("sparkcnn ring v1"), secret), bytes("handshake mac"), MAC_BYTES);
    }

    static byte[] mac(byte[] key, String speaker, byte[] transcript) {
        return hmac(key, bytes(speaker), transcript);
    }

    private static Session session(byte[] secret, byte[] transcript, boolean encrypt, boolean connector) {
        if (!encrypt) {
            return Session.PLAIN;
        }
        byte[] prk = extract(sha256(transcript), secret);
        byte[] toListener = expand(prk, bytes("sparkcnn ring v1 connector to listener"), KEY_BYTES);
        byte[] toConnector = expand(prk, bytes("sparkcnn ring v1 listener to connector"), KEY_BYTES);
        return connector
                ? new Session(FrameCipher.sealing(toListener), FrameCipher.opening(toConnector))
                : new Session(FrameCipher.sealing(toConnector), FrameCipher.opening(toListener));
    }

    /** HKDF-Extract (RFC 5869) with HMAC-SHA256. */
    static byte[] extract(byte[] salt, byte[] inputKey) {
        return hmac(salt, inputKey);
    }

    /** HKDF-Expand (RFC 5869) with HMAC-SHA256, for at most one block (32 bytes). */
    static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length > MAC_BYTES) {
            throw new IllegalArgumentException("one HMAC-SHA256 block is 32 bytes, not " + length);
        }
        return Arrays.copyOf(hmac(prk, info, new byte[] {1}), length);
    }

    private static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads {@code buffer} whole before the deadline, however the other end spreads its bytes: a peer
     * that sends one byte at a time gains nothing, the deadline is for the whole message.
     */
    static void readFully(Socket socket, byte[] buffer, Deadline deadline, String what) throws IOException {
        InputStream in = socket.getInputStream();
        int read = 0;
        while (read < buffer.length) {
            long left = deadline.millisLeft();
            if (left <= 0) {
                throw new SocketTimeoutException("only " + read + " of the " + buffer.length + " bytes of " + what
                        + " arrived in time");
            }
            if (deadline.abandoned().getAsBoolean()) {
                throw new InterruptedIOException("gave up waiting for " + what + ": this task was cancelled");
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(left, CHECK_MILLIS)));
            try {
                int n = in.read(buffer, read, buffer.length - read);
                if (n < 0) {
                    throw new EOFException("closed the connection after " + read + " of the " + buffer.length
                            + " bytes of " + what);
                }
                read += n;
            } catch (SocketTimeoutException e) {
                // check the deadline and whether to give up, then wait again
            }
        }
    }
}
