package org.sparkcnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.report.pictures.Picture;
import org.sparkcnn.train.EpochRecord;
import org.sparkcnn.train.TrainingHistory;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.ValidationSummary;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders {@code report.html}: one self-contained file (styles inline, pictures embedded as data URIs, no
 * script, nothing fetched), so it opens offline from HDFS downloads or mail attachments. The page is a
 * Mustache template ({@code report.html.mustache}); every value is HTML-escaped by Mustache.
 */
public final class HtmlReportWriter {
    public static final String FILE_NAME = "report.html";
    private static final Mustache TEMPLATE = new DefaultMustacheFactory("org/sparkcnn/report")
            .compile("report.html.mustache");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HtmlReportWriter() {
    }

    public static void write(RunReport report, List<Picture> pictures, OutputStream out) throws IOException {
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        TEMPLATE.execute(writer, model(report, pictures));
        writer.flush();
    }

    private static Map<String, Object> model(RunReport report, List<Picture> pictures) throws IOException {
        Map<String, Object> model = new LinkedHashMap<>();
        JsonNode json = ReportJsonWriter.toJson(report);
        model.put("run", runModel(json.get("run")));
        model.put("evaluation", evaluationModel(report.evaluation(), report.classNames()));
        report.training().ifPresent(t -> model.put("training", trainingModel(t)));
        List<Map<String, Object>> datasets = new ArrayList<>();
        report.trainData().ifPresent(d -> datasets.add(datasetModel("train", d)));
        datasets.add(datasetModel("test", report.testData()));
        model.put("datasets", datasets);
        model.put("pictures", pictures.stream().map(p -> Map.of("fileName", p.fileName(), "title", p.title(),
                "base64", Base64.getEncoder().encodeToString(p.png()))).toList());
        model.put("config", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json.get("config")));
        return model;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> runModel(JsonNode run) {
        Map<String, Object> model = JSON.convertValue(run, Map.class);
        model.put("hasDevices", run.path("devices").size() > 0);
        return model;
    }

    private static Map<String, Object> datasetModel(String name, DatasetSummary d) {
        return Map.of("name", name, "images", d.imagesUri(), "labels", d.labelsUri(), "count", d.count(),
                "imagesSha256", d.imagesSha256());
    }

    private static Map<String, Object> evaluationModel(EvaluationResult e, List<String> names) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("accuracy", e.accuracy());
        model.put("accuracyPercent", String.format(Locale.ROOT, "%.2f%%", 100 * e.accuracy()));
        model.put("lossText", fixed(e.loss(), 4));
        model.put("examples", e.examples());
        model.put("classes", e.classes().stream().map(c -> Map.of("label", names.get(c.label()), "precision",
                fixed(c.precision(), 4), "recall", fixed(c.recall(), 4), "f1", fixed(c.f1(), 4),
                "support", c.support())).toList());
        model.put("macroPrecision", fixed(e.macroPrecision(), 4));
        model.put("macroRecall", fixed(e.macroRecall(), 4));
        model.put("macroF1", fixed(e.macroF1(), 4));
        model.put("weightedPrecision", fixed(e.weightedPrecision(), 4));
        model.put("weightedRecall", fixed(e.weightedRecall(), 4));
        model.put("weightedF1", fixed(e.weightedF1(), 4));
        long[][] confusion = e.confusionMatrix();
        model.put("labels", names);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int actual = 0; actual < confusion.length; actual++) {
            List<Long> counts = new ArrayList<>();
            for (long c : confusion[actual]) {
                counts.add(c);
            }
            rows.add(Map.of("label", names.get(actual), "counts", counts));
        }
        model.put("confusionRows", rows);
        return model;
    }

    private static Map<String, Object> trainingModel(TrainingHistory t) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("workers", t.workers());
        model.put("images", t.totalImages());
        model.put("secondsText", fixed(t.totalSeconds(), 1));
        model.put("imagesPerSecondText", fixed(t.totalImages() / Math.max(t.totalSeconds(), 1e-9), 0));
        t.timeSplit().ifPresent(s -> model.put("timeSplit", Map.of("compute", fixed(s.computeMillis() / 1000.0, 1),
                "averaging", fixed(s.aggregationMillis() / 1000.0, 1), "other", fixed(s.otherMillis() / 1000.0, 1))));
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochRecord e : t.epochs()) {
            epochs.add(Map.of("epoch", e.epoch(), "rounds", e.rounds(), "seconds", fixed(e.seconds(), 1),
                    "imagesPerSecond", fixed(e.imagesPerSecond(), 0), "meanLoss", fixed(e.meanLoss(), 4),
                    "accuracy", percent(t.validation().dataset().equals(ValidationPlan.TEST)
                            ? e.testAccuracy() : e.validationAccuracy())));
        }
        model.put("epochs", epochs);
        ValidationSummary v = t.validation();
        model.put("accuracyColumn", v.dataset().equals(ValidationPlan.TEST) ? "Test accuracy" : "Validation accuracy");
        model.put("validationDataset", v.dataset());
        model.put("validationExamples", v.examples());
        model.put("validationEvery", v.every());
        model.put("validationCount", v.state().history().size());
        v.state().best().filter(b -> v.bestModel()).ifPresent(b -> model.put("best", Map.of("epoch", b.epoch(),
                "round", b.round(), "accuracy", percent(b.accuracy()))));
        model.put("earlyStopping", v.stopping().patience() > 0
                ? String.format(Locale.ROOT, "patience %d, min delta %s: %s", v.stopping().patience(),
                v.stopping().minDelta(), v.state().stopped() ? "stopped early, " + v.state().stopReason()
                        : "did not stop early")
                : "off");
        return model;
    }

    private static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.2f%%", 100 * fraction) : "-";
    }

    private static String fixed(double value, int decimals) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "-";
    }
}
