package org.sparkcnn.report;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.sparkcnn.output.RunDirectory;
import org.sparkcnn.report.pictures.Picture;

import java.io.IOException;
import java.util.List;

/**
 * Writes the evaluation report into a run's (still temporary) output folder: report.json, report.html,
 * metrics.csv, confusion_matrix.csv and the PNG pictures.
 */
public final class ReportFiles {
    private ReportFiles() {
    }

    public static void write(RunDirectory output, RunReport report, List<Picture> pictures) throws IOException {
        try (FSDataOutputStream out = output.create(ReportJsonWriter.FILE_NAME)) {
            ReportJsonWriter.write(report, out);
        }
        try (FSDataOutputStream out = output.create(HtmlReportWriter.FILE_NAME)) {
            HtmlReportWriter.write(report, pictures, out);
        }
        try (FSDataOutputStream out = output.create(CsvWriters.METRICS)) {
            CsvWriters.writeMetrics(report.evaluation(), out);
        }
        try (FSDataOutputStream out = output.create(CsvWriters.CONFUSION)) {
            CsvWriters.writeConfusion(report.evaluation().confusionMatrix(), out);
        }
        for (Picture picture : pictures) {
            try (FSDataOutputStream out = output.create(picture.fileName())) {
                out.write(picture.png());
            }
        }
    }
}
