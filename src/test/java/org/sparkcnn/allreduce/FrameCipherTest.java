package org.sparkcnn.allreduce;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ring's frame encryption and key derivation on their own. */
@Timeout(30)
class FrameCipherTest {
    private static final byte[] KEY = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    @Test
    void framesOpenInOrderAndOnlyUnaltered() throws IOException {
        FrameCipher sender = FrameCipher.sealing(KEY);
        FrameCipher receiver = FrameCipher.opening(KEY);
        byte[] plain = new byte[1000];
        new Random(1).nextBytes(plain);
        byte[] first = new byte[plain.length + FrameCipher.TAG_BYTES];
        byte[] second = first.clone();
        assertEquals(first.length, sender.seal(plain, plain.length, first));
        assertEquals(second.length, sender.seal(plain, plain.length, second));
        assertFalse(Arrays.equals(first, second), "the same plaintext sealed twice under one IV");
        byte[] opened = new byte[plain.length];
        assertEquals(plain.length, receiver.open(first, first.length, opened));
        assertArrayEquals(plain, opened);
        // the first frame again where the second belongs: a replayed or reordered frame
        assertThrows(IOException.class, () -> receiver.open(first, first.length, opened));

        FrameCipher fresh = FrameCipher.opening(KEY);
        byte[] altered = first.clone();
        altered[500] ^= 1;
        IOException e = assertThrows(IOException.class, () -> fresh.open(altered, altered.length, opened));
        assertTrue(e.getMessage().contains("failed authentication"), e.getMessage());
        // cut short: the tag no longer matches what arrived
        assertThrows(IOException.class, () -> FrameCipher.opening(KEY).open(first, first.length - 1, opened));
        // another key: the other direction, or another connection
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertThrows(IOException.class, () -> FrameCipher.opening(otherKey).open(first, first.length, opened));
    }

    @Test
    void aChunkTravelsAsFramesEachAuthenticated() throws IOException {
        int length = 3 * FrameCipher.FRAME_BYTES + 123;
        byte[] plain = new byte[length];
        new Random(2).nextBytes(plain);
        byte[] sealed = new byte[FrameCipher.sealedLength(length)];
        assertEquals(length + 4 * FrameCipher.TAG_BYTES, FrameCipher.sealing(KEY).sealAll(plain, length, sealed));
        byte[] opened = new byte[length];
        FrameCipher.opening(KEY).openAll(sealed, length, opened);
        assertArrayEquals(plain, opened);
        sealed[sealed.length - 50] ^= 1; // in the last frame
        assertThrows(IOException.class, () -> FrameCipher.opening(KEY).openAll(sealed, length, opened));
    }

    @Test
    void keyDerivationIsHkdfSha256() {
        // RFC 5869, test case 1 (the first 32 bytes of its output)
        byte[] ikm = new byte[22];
        Arrays.fill(ikm, (byte) 0x0b);
        byte[] prk = RingHandshake.extract(HexFormat.of().parseHex("000102030405060708090a0b0c"), ikm);
        assertEquals("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", HexFormat.of().formatHex(prk));
        assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf", HexFormat.of().formatHex(
                RingHandshake.expand(prk, HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9"), 32)));
    }
}
