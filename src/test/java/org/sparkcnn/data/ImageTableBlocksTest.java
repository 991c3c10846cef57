package org.sparkcnn.data;

import org.junit.jupiter.api.Test;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A shard's blocks are bounded in images and in bytes, and keep every image and label in order. */
class ImageTableBlocksTest {
    @Test
    void mnistSizedImagesFillWholeBlocks() {
        assertEquals(ImageTable.BLOCK, ImageTable.imagesPerBlock(28 * 28));
    }

    @Test
    void largerImagesMakeFewerImagesPerBlockNeverNone() {
        assertEquals(ImageTable.BLOCK_BYTES / (3 * 32 * 32), ImageTable.imagesPerBlock(3 * 32 * 32));
        assertEquals(ImageTable.BLOCK_BYTES / (3 * 224 * 224), ImageTable.imagesPerBlock(3 * 224 * 224));
        assertEquals(1, ImageTable.imagesPerBlock(ImageTable.BLOCK_BYTES * 2));
    }

    @Test
    void blocksStayUnderTheByteBoundAndKeepEveryImageInOrder() {
        int rows = 224;
        int cols = 224;
        int size = 3 * rows * cols;
        int count = 2 * ImageTable.imagesPerBlock(size) + 5;
        List<Tuple2<Long, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] record = new byte[size + 1];
            record[0] = (byte) i;
            record[size - 1] = (byte) (i * 7);
            record[size] = (byte) (i % 10);
            records.add(new Tuple2<>((long) i, record));
        }
        Iterator<LabeledImages> blocks = ImageTable.blocks(records.iterator(), size, rows, cols, 3);
        int seen = 0;
        List<Integer> sizes = new ArrayList<>();
        while (blocks.hasNext()) {
            LabeledImages block = blocks.next();
            assertTrue((long) block.count() * size <= ImageTable.BLOCK_BYTES, "block of " + block.count());
            assertEquals(block.count() * size, block.pixels().length, "no slack in a block's array");
            for (int j = 0; j < block.count(); j++, seen++) {
                assertEquals((byte) seen, block.pixels()[j * size]);
                assertEquals((byte) (seen * 7), block.pixels()[j * size + size - 1]);
                assertEquals(seen % 10, block.label(j));
            }
            sizes.add(block.count());
        }
        assertEquals(count, seen);
        int full = ImageTable.imagesPerBlock(size);
        assertEquals(List.of(full, full, 5), sizes);
    }
}
