package org.sparkcnn.allreduce;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * AES-GCM for the frames of one direction of one ring connection. The IV is the frame's number, so it
 * never repeats under a key (each key serves one direction of one connection), and a frame that is
 * altered, cut short, dropped, repeated or moved fails its tag: the receiver numbers frames itself.
 * Used by one thread at a time.
 */
final class FrameCipher {
    static final int TAG_BYTES = 16;
    /**
     * Plaintext bytes per frame. Small enough that the JIT compiles the JDK's AES-GCM (and its AES-NI
     * and carry-less multiply intrinsics) within the first model-sized call, because HotSpot compiles a
     * method after some hundreds of calls: with 1 MiB frames the first ~15 calls of a 39.3 MB vector
     * ran interpreted, seconds each. The tag (16 bytes) and a new IV per frame cost nothing measurable.
     */
    static final int FRAME_BYTES = 64 * 1024;
    private static final int TAG_BITS = TAG_BYTES * 8;
    private static final int IV_BYTES = 12;

    /** Frames {@link #warmUpOnce} seals and opens: past HotSpot's thresholds for compiling a method. */
    private static final int WARM_UP_FRAMES = 2_000;
    private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

    private final Cipher cipher;
    private final SecretKeySpec key;
    private final int mode;
    private final byte[] iv = new byte[IV_BYTES];
    private long frames;

    private FrameCipher(byte[] key, int mode) {
        this.key = new SecretKeySpec(key, "AES");
        this.mode = mode;
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has AES/GCM/NoPadding", e);
        }
    }

    /**
     * Once per JVM, on a thread of its own: seals and opens small frames under a throwaway key, so that
     * the JIT compiles AES-GCM while the ring forms rather than during the first rounds, which would
     * otherwise run interpreted (seconds for a 39.3 MB call). 2,000 frames of 1 KiB take ~0.1 s.
     */
    static void warmUpOnce() {
        if (!WARMED_UP.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            byte[] key = new byte[16];
            FrameCipher sealer = sealing(key);
            FrameCipher opener = opening(key);
            byte[] plain = new byte[1024];
            byte[] frame = new byte[plain.length + TAG_BYTES];
            try {
                for (int i = 0; i < WARM_UP_FRAMES; i++) {
                    opener.open(frame, sealer.seal(plain, plain.length, frame), plain);
                }
            } catch (IOException e) {
                throw new IllegalStateException("AES-GCM does not open its own frame", e);
            }
        }, "sparkcnn-ring-cipher-warm-up");
        t.setDaemon(true);
        t.start();
    }

    static FrameCipher sealing(byte[] key) {
        return new FrameCipher(key, Cipher.ENCRYPT_MODE);
    }

    static FrameCipher opening(byte[] key) {
        return new FrameCipher(key, Cipher.DECRYPT_MODE);
    }

    /** Bytes on the wire for {@code length} bytes of plaintext sealed by {@link #sealAll}. */
    static int sealedLength(int length) {
        return length + TAG_BYTES * Math.max(1, (length + FRAME_BYTES - 1) / FRAME_BYTES);
    }

    /** Encrypts {@code plain[0, length)} as frames of {@link #FRAME_BYTES} into {@code sealed}; returns its length. */
    int sealAll(byte[] plain, int length, byte[] sealed) throws IOException {
        int at = 0;
        int from = 0;
        do {
            int n = Math.min(FRAME_BYTES, length - from);
            at += seal(plain, from, n, sealed, at);
            from += n;
        } while (from < length);
        return at;
    }

    /**
     * Decrypts what {@link #sealAll} made of {@code plainLength} bytes into {@code plain}.
     *
     * @throws IOException when a frame is not the next one its sender sealed, unaltered
     */
    void openAll(byte[] sealed, int plainLength, byte[] plain) throws IOException {
        int at = 0;
        int to = 0;
        do {
            int n = Math.min(FRAME_BYTES, plainLength - to);
            to += open(sealed, at, n + TAG_BYTES, plain, to);
            at += n + TAG_BYTES;
        } while (to < plainLength);
    }

    /** Encrypts {@code plain[0, length)} into {@code frame}; returns the frame's length ({@code length + TAG_BYTES}). */
    int seal(byte[] plain, int length, byte[] frame) throws IOException {
        return seal(plain, 0, length, frame, 0);
    }

    private int seal(byte[] plain, int from, int length, byte[] frame, int at) throws IOException {
        try {
            start();
            return cipher.doFinal(plain, from, length, frame, at);
        } catch (GeneralSecurityException e) {
            throw new IOException("could not encrypt ring frame " + (frames - 1), e);
        }
    }

    /**
     * Decrypts {@code frame[0, frameLength)} into {@code plain}; returns the plaintext's length.
     *
     * @throws IOException when the frame is not the next one its sender sealed, unaltered
     */
    int open(byte[] frame, int frameLength, byte[] plain) throws IOException {
        return open(frame, 0, frameLength, plain, 0);
    }

    private int open(byte[] frame, int at, int frameLength, byte[] plain, int to) throws IOException {
        try {
            start();
            return cipher.doFinal(frame, at, frameLength, plain, to);
        } catch (AEADBadTagException e) {
            throw new IOException("ring frame " + (frames - 1) + " failed authentication: altered on the way, or not "
                    + "from the ring peer", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("could not decrypt ring frame " + (frames - 1), e);
        }
    }

    private void start() throws GeneralSecurityException {
        long n = frames++;
        if (n == Long.MAX_VALUE) {
            throw new GeneralSecurityException("frame counter exhausted");
        }
        for (int i = 0; i < Long.BYTES; i++) {
            iv[IV_BYTES - 1 - i] = (byte) (n >>> (8 * i));
        }
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
    }
}
