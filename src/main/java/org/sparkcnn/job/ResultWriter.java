package org.sparkcnn.job;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.output.AtomicOutputDir;
import org.sparkcnn.output.ModelStore;
import org.sparkcnn.report.MetricsJsonWriter;
import org.sparkcnn.report.RunReport;

import java.io.IOException;
import java.util.Optional;

/** Writes a run's results into its output folder and publishes them atomically. */
final class ResultWriter {
    private ResultWriter() {
    }

    static void write(AtomicOutputDir output, Optional<MultiLayerNetwork> model, RunReport report) throws IOException {
        if (model.isPresent()) {
            try (FSDataOutputStream out = output.create(ModelStore.MODEL_FILE)) {
                ModelStore.write(model.get(), out);
            }
        }
        try (FSDataOutputStream out = output.create(MetricsJsonWriter.FILE_NAME)) {
            MetricsJsonWriter.write(report, out);
        }
        output.commit();
    }
}
