package org.sparkcnn.eval;

import org.apache.spark.mllib.evaluation.MulticlassMetrics;
import org.apache.spark.mllib.linalg.Matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Quality of a model on a labelled dataset.
 *
 * @param examples         examples evaluated
 * @param accuracy         fraction classified correctly
 * @param loss             mean cross-entropy loss
 * @param classes          per-class metrics, index = class label
 * @param macroPrecision   unweighted mean over classes
 * @param macroRecall      unweighted mean over classes
 * @param macroF1          unweighted mean over classes
 * @param weightedPrecision mean over classes weighted by support
 * @param weightedRecall   mean over classes weighted by support
 * @param weightedF1       mean over classes weighted by support
 * @param confusionMatrix  counts, [actual][predicted]
 * @param misclassified    some of the misclassified images, in test-set order
 */
public record EvaluationResult(long examples, double accuracy, double loss, List<ClassMetrics> classes,
                               double macroPrecision, double macroRecall, double macroF1,
                               double weightedPrecision, double weightedRecall, double weightedF1,
                               long[][] confusionMatrix, List<Misclassified> misclassified) {
    public EvaluationResult {
        classes = List.copyOf(classes);
        misclassified = List.copyOf(misclassified);
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

    /** Builds the result from MLlib's metrics; classes that never occur get zeros, not gaps. */
    static EvaluationResult from(MulticlassMetrics metrics, int numClasses, long examples, double loss,
                                 List<Misclassified> misclassified) {
        long[][] confusion = new long[numClasses][numClasses];
        double[] labels = metrics.labels();
        Matrix matrix = metrics.confusionMatrix();
        for (int i = 0; i < labels.length; i++) {
            for (int j = 0; j < labels.length; j++) {
                confusion[(int) labels[i]][(int) labels[j]] = Math.round(matrix.apply(i, j));
            }
        }
        List<ClassMetrics> classes = new ArrayList<>(numClasses);
        for (int c = 0; c < numClasses; c++) {
            long support = 0;
            long predictedAs = 0;
            for (int k = 0; k < numClasses; k++) {
                support += confusion[c][k];
                predictedAs += confusion[k][c];
            }
            boolean known = support + predictedAs > 0;
            classes.add(new ClassMetrics(c, known ? metrics.precision(c) : 0, known ? metrics.recall(c) : 0,
                    known ? metrics.fMeasure(c) : 0, support));
        }
        return new EvaluationResult(examples, examples == 0 ? Double.NaN : metrics.accuracy(), loss, classes,
                classes.stream().mapToDouble(ClassMetrics::precision).average().orElse(0),
                classes.stream().mapToDouble(ClassMetrics::recall).average().orElse(0),
                classes.stream().mapToDouble(ClassMetrics::f1).average().orElse(0),
                metrics.weightedPrecision(), metrics.weightedRecall(), metrics.weightedFMeasure(), confusion,
                misclassified);
    }
}
