package org.sparkcnn.report;

import org.sparkcnn.common.QualityGate;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.train.TrainingHistory;

import java.util.List;
import java.util.Optional;

/**
 * Everything a run reports: what ran, on which data, how training went, and the model's quality.
 *
 * @param effectiveConfig the settings as JSON (secrets redacted)
 * @param training        absent for {@code evaluate}
 * @param trainData       absent for {@code evaluate}
 * @param pictures        file names of the report's PNG pictures
 * @param gate            what the quality gate said about the test accuracy
 * @param classNames      the classes' names in label order ("0".."9" for IDX files)
 */
public record RunReport(RunInfo run, String effectiveConfig, Optional<DatasetSummary> trainData,
                        DatasetSummary testData, Optional<TrainingHistory> training, EvaluationResult evaluation,
                        List<String> pictures, QualityGate.Verdict gate, List<String> classNames) {
    public RunReport {
        pictures = List.copyOf(pictures);
        classNames = List.copyOf(classNames);
    }
}
