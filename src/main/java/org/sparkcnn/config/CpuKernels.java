package org.sparkcnn.config;

/**
 * What computes a worker's forward and backward pass on the CPU backend (the config value is the lower-case
 * name). The optimiser step is DL4J's either way, and the model is a DL4J network either way.
 */
public enum CpuKernels {
    /**
     * oneDNN's primitives called directly, activations kept in their blocked layouts between layers: about
     * twice DL4J's speed per core for sparkcnn's CNN. Networks of another architecture fall back to DL4J.
     */
    ONEDNN,
    /** DL4J's layers (which call oneDNN op by op, with plain layouts). */
    DL4J
}
