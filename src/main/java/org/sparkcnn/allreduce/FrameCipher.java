package org.sparkcnn.allreduce;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * AES-GCM for the frames of one direction of one ring connection. The IV is the frame's number, so it
 * never repeats under a key (each key serves one direction of one connection), and a frame that is
 * altered, cut short, dropped, repeated or moved fails its tag: the receiver numbers frames itself.
 * Used by one thread at a time.
 */
final class FrameCipher {
    static final int TAG_BYTES = 16;
    private static final int TAG_BITS = TAG_BYTES * 8;
    private static final int IV_BYTES = 12;

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

    static FrameCipher sealing(byte[] key) {
        return new FrameCipher(key, Cipher.ENCRYPT_MODE);
    }

    static FrameCipher opening(byte[] key) {
        return new FrameCipher(key, Cipher.DECRYPT_MODE);
    }

    /** Encrypts {@code plain[0, length)} into {@code frame}; returns the frame's length ({@code length + TAG_BYTES}). */
    int seal(byte[] plain, int length, byte[] frame) throws IOException {
        try {
            start();
            return cipher.doFinal(plain, 0, length, frame, 0);
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
        try {
            start();
            return cipher.doFinal(frame, 0, frameLength, plain, 0);
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
