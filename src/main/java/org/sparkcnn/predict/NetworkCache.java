package org.sparkcnn.predict;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One deserialised network per broadcast per executor JVM: a broadcast model is unpacked once, and each
 * task gets a cheap clone of it (networks are not thread-safe; concurrent tasks must not share one).
 */
final class NetworkCache {
    private static final Map<Long, MultiLayerNetwork> BY_BROADCAST = new ConcurrentHashMap<>();

    private NetworkCache() {
    }

    static MultiLayerNetwork forTask(long broadcastId, byte[] modelZip) {
        MultiLayerNetwork shared = BY_BROADCAST.computeIfAbsent(broadcastId, id -> restore(modelZip));
        synchronized (shared) {
            return shared.clone();
        }
    }

    static void evict(long broadcastId) {
        BY_BROADCAST.remove(broadcastId);
    }

    private static MultiLayerNetwork restore(byte[] modelZip) {
        try {
            return ModelSerializer.restoreMultiLayerNetwork(new ByteArrayInputStream(modelZip), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
