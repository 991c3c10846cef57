package org.sparkcnn.report;

import org.sparkcnn.eval.EvaluationResult;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The evaluation as CSV, for spreadsheets and other programs: per-class metrics ({@value #METRICS}) and
 * the confusion matrix ({@value #CONFUSION}). Only numbers and fixed words, so no quoting is needed.
 */
public final class CsvWriters {
    public static final String METRICS = "metrics.csv";
    public static final String CONFUSION = "confusion_matrix.csv";

    private CsvWriters() {
    }

    /** One row per class, then macro and weighted averages and the overall accuracy and loss. */
    public static void writeMetrics(EvaluationResult e, OutputStream out) {
        PrintWriter w = writer(out);
        w.println("class,precision,recall,f1,support");
        for (EvaluationResult.ClassMetrics c : e.classes()) {
            w.println(String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%d", c.label(), c.precision(), c.recall(),
                    c.f1(), c.support()));
        }
        w.println(String.format(Locale.ROOT, "macro avg,%.6f,%.6f,%.6f,%d", e.macroPrecision(), e.macroRecall(),
                e.macroF1(), e.examples()));
        w.println(String.format(Locale.ROOT, "weighted avg,%.6f,%.6f,%.6f,%d", e.weightedPrecision(),
                e.weightedRecall(), e.weightedF1(), e.examples()));
        w.println(String.format(Locale.ROOT, "accuracy,%.6f,,,%d", e.accuracy(), e.examples()));
        w.println(String.format(Locale.ROOT, "loss,%.6f,,,%d", e.loss(), e.examples()));
        w.flush();
    }

    /** Rows: true label; columns: predicted label. */
    public static void writeConfusion(long[][] confusion, OutputStream out) {
        PrintWriter w = writer(out);
        StringBuilder header = new StringBuilder("true\\predicted");
        for (int c = 0; c < confusion.length; c++) {
            header.append(',').append(c);
        }
        w.println(header);
        for (int actual = 0; actual < confusion.length; actual++) {
            StringBuilder row = new StringBuilder(Integer.toString(actual));
            for (long count : confusion[actual]) {
                row.append(',').append(count);
            }
            w.println(row);
        }
        w.flush();
    }

    private static PrintWriter writer(OutputStream out) {
        return new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    }
}
