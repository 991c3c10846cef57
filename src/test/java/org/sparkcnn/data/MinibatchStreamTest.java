package org.sparkcnn.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A shard's segments of minibatches: every image in exactly one segment, even shares, full minibatches
 * across block boundaries, the same batches for the same seed, and the old per-block batches when one
 * segment's blocks divide into whole minibatches.
 */
class MinibatchStreamTest {
    private static final MinibatchFactory FACTORY = new MinibatchFactory(10);

    /** A shard of {@code count} images in blocks of {@code perBlock}; image i's first pixel says i % 256 and its
     * second i / 256, so every image is told apart by its features. */
    private static List<LabeledImages> shard(int count, int perBlock) {
        List<LabeledImages> blocks = new ArrayList<>();
        for (int from = 0; from < count; from += perBlock) {
            int n = Math.min(perBlock, count - from);
            byte[] pixels = new byte[n * 4];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int id = from + i;
                pixels[i * 4] = (byte) (id % 256);
                pixels[i * 4 + 1] = (byte) (id / 256);
                labels[i] = (byte) (id % 10);
            }
            blocks.add(new LabeledImages(n, 2, 2, pixels, labels));
        }
        return blocks;
    }

    private static List<DataSet> stream(List<LabeledImages> shard, int batch, int segment, int segments, long seed) {
        List<DataSet> out = new ArrayList<>();
        new MinibatchStream(shard.iterator(), FACTORY, batch, segment, segments, seed).forEachRemaining(out::add);
        return out;
    }

    /** The ids of a minibatch's images, from their first two pixels. */
    private static List<Integer> ids(DataSet batch) {
        List<Integer> ids = new ArrayList<>();
        for (int r = 0; r < batch.numExamples(); r++) {
            int low = Math.round(batch.getFeatures().getFloat(r, 0) * 255);
            int high = Math.round(batch.getFeatures().getFloat(r, 1) * 255);
            int id = high * 256 + low;
            assertEquals(1f, batch.getLabels().getFloat(r, id % 10), "the label travels with its image");
            ids.add(id);
        }
        return ids;
    }

    @Test
    void everyImageIsInExactlyOneSegmentOfWholeMinibatches() {
        int count = 1000;
        int batch = 16;
        List<LabeledImages> shard = shard(count, 97);
        Map<Integer, Integer> seen = new HashMap<>();
        int minibatches = 0;
        for (int s = 0; s < 7; s++) {
            List<DataSet> batches = stream(shard, batch, s, 7, 5);
            for (int b = 0; b < batches.size(); b++) {
                int n = batches.get(b).numExamples();
                // images are dealt a minibatch's worth at a time: the only short minibatch is the shard's last
                // images' (1000 = 62 * 16 + 8: slot 62 is segment 62 % 7 = 6's)
                assertTrue(n == batch || (s == 6 && b == batches.size() - 1 && n == 8), "segment " + s + " batch " + b + " of " + n);
                for (int id : ids(batches.get(b))) {
                    assertEquals(s, id / batch % 7, "image " + id + " is segment " + (id / batch % 7) + "'s");
                    seen.merge(id, 1, Integer::sum);
                }
            }
            minibatches += batches.size();
            // 63 minibatch slots over 7 segments: 9 each
            assertEquals(9, batches.size(), "segment " + s);
        }
        assertEquals(count, seen.size());
        assertTrue(seen.values().stream().allMatch(n -> n == 1));
        assertEquals((count + batch - 1) / batch, minibatches, "as many minibatches as one segment makes");
    }

    @Test
    void theSameSeedGivesTheSameBatchesAndAnotherSeedOthers() {
        List<LabeledImages> shard = shard(600, 128);
        List<List<Integer>> a = stream(shard, 32, 0, 1, 11).stream().map(MinibatchStreamTest::ids).toList();
        List<List<Integer>> b = stream(shard, 32, 0, 1, 11).stream().map(MinibatchStreamTest::ids).toList();
        List<List<Integer>> c = stream(shard, 32, 0, 1, 12).stream().map(MinibatchStreamTest::ids).toList();
        assertEquals(a, b);
        assertTrue(!a.equals(c), "another seed shuffles otherwise");
        assertEquals(600, a.stream().mapToInt(List::size).sum());
    }

    /** One segment whose blocks hold whole minibatches: the batches the per-block factory made before. */
    @Test
    void oneSegmentOfWholeBlocksMatchesTheFactorysPerBlockBatches() {
        List<LabeledImages> shard = shard(4 * 64 + 40, 64);
        List<List<Integer>> expected = new ArrayList<>();
        for (LabeledImages block : shard) {
            FACTORY.toDataSets(block, 32, 9).forEach(d -> expected.add(ids(d)));
        }
        assertEquals(expected, stream(shard, 32, 0, 1, 9).stream().map(MinibatchStreamTest::ids).toList());
    }

    @Test
    void anEmptyShardHasNoBatches() {
        assertEquals(List.of(), stream(List.of(), 32, 0, 3, 1));
    }
}
