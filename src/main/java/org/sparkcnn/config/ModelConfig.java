package org.sparkcnn.config;

/**
 * Hyper-parameters of the CNN and its optimiser.
 *
 * @param seed         seed for weight initialisation, dropout and data order
 * @param optimizer    the optimiser
 * @param learningRate its learning rate
 * @param momentum     momentum (Nesterov only)
 * @param l2           L2 weight decay coefficient, 0 = off
 * @param dropoutRate  fraction of the dense layer's outputs dropped in training (TensorFlow semantics)
 * @param learningRateDecay the learning rate is multiplied by this after each epoch (1 = constant)
 */
public record ModelConfig(long seed, Optimizer optimizer, double learningRate, double momentum, double l2,
                          double dropoutRate, double learningRateDecay) {
}
