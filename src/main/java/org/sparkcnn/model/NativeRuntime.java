package org.sparkcnn.model;

import org.deeplearning4j.config.DL4JSystemProperties;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a JVM (driver or executor) for fast native CNN training. Must run before the first network
 * is built in that JVM: DL4J decides once per layer, at construction, whether it uses oneDNN.
 */
public final class NativeRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(NativeRuntime.class);
    /** DL4J M2.1 disables its platform helpers (oneDNN, cuDNN) unless this is "false". */
    public static final String HELPERS_DISABLE_PROPERTY = DL4JSystemProperties.DISABLE_HELPER_PROPERTY;

    private NativeRuntime() {
    }

    /** Enables DL4J's oneDNN (CPU) / cuDNN (GPU) layer helpers for networks built after this call. */
    public static void enableLayerHelpers() {
        System.setProperty(HELPERS_DISABLE_PROPERTY, "false");
    }

    /**
     * Limits nd4j's native threads so that concurrent training tasks in one executor do not oversubscribe
     * its cores (measured 10-45% slower when they do).
     */
    public static void limitThreads(int threads) {
        if (threads <= 0) {
            return;
        }
        org.nd4j.linalg.factory.Environment environment = Nd4j.getEnvironment();
        if (environment.maxThreads() != threads || environment.maxMasterThreads() != threads) {
            environment.setMaxThreads(threads);
            environment.setMaxMasterThreads(threads);
            LOG.info("nd4j native threads limited to {} per task", threads);
        }
    }

    /** A one-line description of the native backend, for logs and reports (e.g. "CPU, oneDNN on"). */
    public static String describeBackend() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", "unknown");
        boolean oneDnn = "CPU".equalsIgnoreCase(backend)
                && org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
        return backend + (oneDnn ? ", oneDNN" : "") + ", " + Nd4j.getEnvironment().maxThreads() + " threads";
    }
}
