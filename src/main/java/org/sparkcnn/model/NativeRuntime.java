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

    /** What {@link #limitThreads} was last given; 0 = never called. */
    private static volatile int threadsPerTask;

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
        threadsPerTask = threads;
        org.nd4j.linalg.factory.Environment environment = Nd4j.getEnvironment();
        if (environment.maxThreads() != threads || environment.maxMasterThreads() != threads) {
            environment.setMaxThreads(threads);
            environment.setMaxMasterThreads(threads);
            LOG.info("nd4j native threads limited to {} per task", threads);
        }
    }

    /**
     * Native threads one training task may use: what {@link #limitThreads} was given, else nd4j's own
     * limit. nd4j caps its reported limit at {@code OMP_NUM_THREADS}, which {@code bin/sparkcnn} and the
     * submit scripts set to 1 so that concurrent tasks do not oversubscribe; code that sets OpenMP's
     * count per thread (the oneDNN step) uses this instead.
     */
    public static int threadsPerTask() {
        int threads = threadsPerTask;
        return threads > 0 ? threads : Math.max(1, Nd4j.getEnvironment().maxThreads());
    }

    /** A one-line description of the native backend, for logs and reports (e.g. "CPU, oneDNN on"). */
    public static String describeBackend() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", "unknown");
        boolean oneDnn = "CPU".equalsIgnoreCase(backend)
                && org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
        return backend + (oneDnn ? ", oneDNN" : "") + ", " + Nd4j.getEnvironment().maxThreads() + " threads";
    }
}
