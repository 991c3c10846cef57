package org.sparkcnn.device;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Which nd4j backend sparkcnn runs on. The jar holds exactly one: nd4j-native (default build) or
 * nd4j-cuda-11.6 (mvn -Pcuda). Asked by class name, so this compiles against nd4j-api only.
 */
public final class Nd4jBackends {
    /** nd4j-cuda's backend class; present only in the -Pcuda build. */
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";

    private Nd4jBackends() {
    }

    /** Whether the CUDA backend is on the classpath; does not start nd4j. */
    public static boolean cudaOnClasspath() {
        return classPresent(CUDA_BACKEND_CLASS);
    }

    /** Whether the running nd4j backend is CUDA; starts nd4j if it has not started yet. */
    public static boolean cudaActive() {
        return isCudaBackendName(Nd4j.getBackend().getClass().getName());
    }

    static boolean isCudaBackendName(String className) {
        return className.startsWith("org.nd4j.linalg.jcublas.");
    }

    /** The binder for the running backend. */
    public static DeviceBinder binder() {
        return cudaActive() ? new CudaDeviceBinder() : new CpuDeviceBinder();
    }

    static boolean classPresent(String name) {
        try {
            Class.forName(name, false, Nd4jBackends.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
