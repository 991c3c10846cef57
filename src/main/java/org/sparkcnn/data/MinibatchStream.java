package org.sparkcnn.data;

import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * One segment of one shard's minibatches for one pass, made block by block as the pass reads them.
 *
 * <p>A shard is a sequence of {@link LabeledImages} blocks (bytes, kept by Spark and spilled to disk when
 * memory runs short). Its images are dealt out to the segments a minibatch's worth at a time: images
 * {@code [k*batch, (k+1)*batch)} of the shard go to segment {@code k mod n}. So every segment is a random
 * share (the blocks already mix the classes in an order drawn from the seed) of whole minibatches, the
 * epoch has as many minibatches as unsegmented (the learning-rate schedule counts them), and a segment's
 * pass converts only its own images to floats. Dealt image by image instead, 420,000 images in 82
 * segments made a 1-image minibatch per segment and worker, 82 extra steps per epoch. Each block's share
 * is shuffled with {@code shuffleSeed}; images left over after its full minibatches are carried into the
 * next block's, so only the shard's last minibatch is short.
 *
 * <p>Why not the whole epoch's minibatches, cut into segments: those were built as one list per shard
 * (the epoch's floats, 4 bytes per pixel, all at once) and then read in full by every segment's pass. A
 * 420,000-image RGB 32x32 table in 82 segments needed 2.6 GB of off-heap floats per shard before its
 * first pass (it failed at JavaCPP's 3 GB process cap, 2026-12-02), and each of the 82 passes would have
 * deserialised all of them. Reading a segment here costs one scan of the shard's bytes.
 */
public final class MinibatchStream implements Iterator<DataSet> {
    private final Iterator<LabeledImages> blocks;
    private final MinibatchFactory factory;
    private final int batchSize;
    private final int segment;
    private final int segments;
    private final long shuffleSeed;
    private long imagesBefore;
    private LabeledImages carried;
    private Iterator<DataSet> ready = Collections.emptyIterator();

    /**
     * @param blocks      the shard's blocks, in their stored order
     * @param segment     which segment, 0 .. segments-1
     * @param shuffleSeed each block's share is shuffled with {@code new Random(shuffleSeed)} (Fisher-Yates)
     */
    public MinibatchStream(Iterator<LabeledImages> blocks, MinibatchFactory factory, int batchSize, int segment,
                           int segments, long shuffleSeed) {
        if (batchSize < 1 || segments < 1 || segment < 0 || segment >= segments) {
            throw new IllegalArgumentException("batch " + batchSize + ", segment " + segment + " of " + segments);
        }
        this.blocks = blocks;
        this.factory = factory;
        this.batchSize = batchSize;
        this.segment = segment;
        this.segments = segments;
        this.shuffleSeed = shuffleSeed;
    }

    @Override
    public boolean hasNext() {
        while (!ready.hasNext() && blocks.hasNext()) {
            ready = nextBlock().iterator();
        }
        return ready.hasNext();
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.next();
    }

    /** The minibatches the next block completes (all that is left, after the shard's last block). */
    private List<DataSet> nextBlock() {
        LabeledImages block = blocks.next();
        long first = imagesBefore;
        imagesBefore += block.count();
        LabeledImages share = segments == 1 ? block
                : block.select(i -> (first + i) / batchSize % segments == segment);
        int carry = carried == null ? 0 : carried.count();
        LabeledImages images = carry == 0 ? share : concat(carried, share);
        // the carried images keep their (already shuffled) places in front; the block's share is shuffled
        int[] order = MinibatchFactory.identity(images.count());
        int[] shareOrder = MinibatchFactory.identity(share.count());
        MinibatchFactory.shuffle(shareOrder, new Random(shuffleSeed));
        for (int i = 0; i < shareOrder.length; i++) {
            order[carry + i] = carry + shareOrder[i];
        }
        int batched = blocks.hasNext() ? images.count() / batchSize * batchSize : images.count();
        List<DataSet> batches = new ArrayList<>((batched + batchSize - 1) / batchSize);
        for (int from = 0; from < batched; from += batchSize) {
            batches.add(factory.batch(images, order, from, Math.min(batchSize, batched - from)));
        }
        carried = inOrder(images, order, batched);
        return batches;
    }

    /** The examples order[from ..] of {@code images}, in that order. */
    private static LabeledImages inOrder(LabeledImages images, int[] order, int from) {
        int n = order.length - from;
        int ppi = images.pixelsPerImage();
        byte[] pixels = new byte[n * ppi];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(images.pixels(), order[from + i] * ppi, pixels, i * ppi, ppi);
            labels[i] = (byte) images.label(order[from + i]);
        }
        return new LabeledImages(n, images.rows(), images.cols(), images.channels(), pixels, labels);
    }

    private static LabeledImages concat(LabeledImages a, LabeledImages b) {
        byte[] pixels = new byte[a.pixels().length + b.pixels().length];
        System.arraycopy(a.pixels(), 0, pixels, 0, a.pixels().length);
        System.arraycopy(b.pixels(), 0, pixels, a.pixels().length, b.pixels().length);
        byte[] labels = new byte[a.count() + b.count()];
        System.arraycopy(a.labels(), 0, labels, 0, a.count());
        System.arraycopy(b.labels(), 0, labels, a.count(), b.count());
        return new LabeledImages(a.count() + b.count(), a.rows(), a.cols(), a.channels(), pixels, labels);
    }
}
