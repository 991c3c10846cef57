package org.sparkcnn.job;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.report.ReportFiles;
import org.sparkcnn.report.RunReport;
import org.sparkcnn.report.pictures.Picture;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Writes a run's results into its output folder and publishes them atomically: {@code _SUCCESS} last when
 * the report's quality gate passed, {@code _GATE_FAILED} instead when it did not.
 */
final class ResultWriter {
    private ResultWriter() {
    }

    static void write(RunDirectory output, Optional<MultiLayerNetwork> model, RunReport report,
                      List<Picture> pictures) throws IOException {
        if (model.isPresent()) {
            try (FSDataOutputStream out = output.create(ModelStore.MODEL_FILE)) {
                ModelStore.write(model.get(), report.classNames(), out);
            }
        }
        ReportFiles.write(output, report, pictures);
        output.commit(report.gate());
    }
}
