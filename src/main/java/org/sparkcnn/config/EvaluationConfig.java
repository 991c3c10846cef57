package org.sparkcnn.config;

import java.net.URI;
import java.util.Optional;

/**
 * @param batchSize test examples per evaluation minibatch on the executors
 * @param model     the saved model the evaluate command scores
 * @param minAccuracy quality gate: below this test accuracy the job exits with code 3 (0 = off)
 */
public record EvaluationConfig(int batchSize, Optional<URI> model, double minAccuracy) {
}
