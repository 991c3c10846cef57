package org.sparkcnn.fit;

/**
 * The parts of one training step of {@link OneDnnFitter}, in the order they run, as {@link StepTimer}
 * reports them.
 */
enum StepPhase {
    /** The minibatch's features and labels made contiguous float arrays, the graph for its size looked up. */
    INPUTS,
    /** oneDNN: conv1, pool, conv2, pool, the dense layer with its ReLU. */
    TO_HIDDEN,
    /** Drawing the dropout mask. */
    DROPOUT_MASK,
    /** Applying the mask to the hidden layer, into the output layer's input. */
    DROPOUT,
    /** oneDNN: the output layer's logits. */
    LOGITS,
    /** The softmax cross-entropy: the loss, and the gradient at the logits. */
    SOFTMAX,
    /** oneDNN: the output layer's weight and bias gradients, and the gradient at the hidden layer. */
    OUTPUT_BACKWARD,
    /** Back through dropout and the dense layer's ReLU. */
    HIDDEN_BACKWARD,
    /** oneDNN: from the dense layer down to conv1's weights. */
    REST_BACKWARD,
    /** The L2 term of the score. */
    REGULARISATION,
    /** The optimiser step over all parameters ({@link OptimiserStep}). */
    OPTIMISER,
    /** DL4J's iteration counter. */
    BOOKKEEPING
}
