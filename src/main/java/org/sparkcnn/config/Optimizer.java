package org.sparkcnn.config;

/** The optimisers a job can choose; the config key is the lower-case name. */
public enum Optimizer {
    ADAM, SGD, NESTEROV
}
