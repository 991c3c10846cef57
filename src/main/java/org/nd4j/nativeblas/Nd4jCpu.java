package org.nd4j.nativeblas;

/**
 * Compatibility shim so that DL4J 1.0.0-M2.1 actually uses oneDNN for convolution and pooling layers.
 *
 * <p>DL4J's {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment}
 * by reflection and calls {@code isUseMKLDNN()} on it: the class name and method of nd4j before the
 * 1.0.0-M2 package move. In M2.1 the real environment is
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment#isUseONEDNN()}, so the lookup fails and
 * every conv/pool layer silently falls back to the slow built-in im2col path (about 8x slower on this CNN).
 * This class restores the old name and forwards to the real one. It must stay in this exact package.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The old environment name DL4J looks up; forwards to nd4j's current native environment. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** True when the loaded libnd4jcpu was built with oneDNN and has it switched on. */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
