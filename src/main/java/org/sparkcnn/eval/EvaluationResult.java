package org.sparkcnn.eval;

import java.util.List;

/**
 * Quality of a model on a labelled dataset.
 *
 * @param examples        examples evaluated
 * @param accuracy        fraction classified correctly
 * @param loss            mean cross-entropy loss
 * @param classes         per-class metrics, index = class label
 * @param macroPrecision  unweighted mean over classes
 * @param macroRecall     unweighted mean over classes
 * @param macroF1         unweighted mean over classes
 * @param confusionMatrix counts, [actual][predicted]
 */
public record EvaluationResult(long examples, double accuracy, double loss, List<ClassMetrics> classes,
                               double macroPrecision, double macroRecall, double macroF1, long[][] confusionMatrix) {
    public EvaluationResult {
        classes = List.copyOf(classes);
    }

    /**
     * @param label     the class
     * @param precision correct predictions of this class / all predictions of it
     * @param recall    correct predictions of this class / all examples of it
     * @param f1        harmonic mean of precision and recall
     * @param support   examples of this class
     */
    public record ClassMetrics(int label, double precision, double recall, double f1, long support) {
    }
}
