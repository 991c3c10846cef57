package org.sparkcnn.predict;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.output.ModelStore;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One deserialised network per transform per executor JVM: a broadcast model is unpacked once, and each
 * task gets a cheap clone of it (networks are not thread-safe; concurrent tasks must not share one).
 * Keyed by a random id of the transform, not by broadcast id: broadcast ids restart with every
 * SparkContext, and a JVM may see several. Only the most recent few models are kept.
 */
final class NetworkCache {
    private static final int MAX_MODELS = 4;
    private static final Map<String, MultiLayerNetwork> BY_TRANSFORM = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, MultiLayerNetwork> eldest) {
            return size() > MAX_MODELS;
        }
    };

    private NetworkCache() {
    }

    static MultiLayerNetwork forTask(String transformId, byte[] modelZip) {
        MultiLayerNetwork shared;
        synchronized (BY_TRANSFORM) {
            shared = BY_TRANSFORM.computeIfAbsent(transformId, id -> ModelStore.fromBytes(modelZip));
        }
        synchronized (shared) {
            return shared.clone();
        }
    }
}
