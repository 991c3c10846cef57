package org.sparkcnn.cli;

import picocli.CommandLine.Option;

import java.util.List;

/** {@code --min-accuracy}: the quality gate of train and evaluate (exit code 3 below it). */
final class QualityGateOption {
    @Option(names = "--min-accuracy", paramLabel = "X",
            description = "Exit with code 3 when the test accuracy is below X, e.g. 0.99: the report is written, with "
                    + "_GATE_FAILED instead of _SUCCESS, and a rerun exits 3 again. Same as evaluation.min-accuracy=X.")
    String minAccuracy;

    void addTo(List<String> overrides) {
        if (minAccuracy != null) {
            overrides.add("evaluation.min-accuracy=" + minAccuracy);
        }
    }
}
