package org.sparkcnn.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sparkcnn.data.DatasetSummary;
import org.sparkcnn.device.DeviceUse;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.eval.Misclassified;
import org.sparkcnn.train.EpochRecord;
import org.sparkcnn.train.ExecutorBackend;
import org.sparkcnn.train.TrainingHistory;
import org.sparkcnn.train.ValidationRecord;
import org.sparkcnn.train.ValidationSummary;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes a {@link RunReport} as {@code report.json}, the machine-readable result of a run, documented in
 * docs/report-schema.md. Schema version {@value #SCHEMA_VERSION}: within a major version fields are only
 * ever added, never renamed or removed.
 */
public final class ReportJsonWriter {
    public static final String FILE_NAME = "report.json";
    public static final String SCHEMA_VERSION = "1.4";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJsonWriter() {
    }

    public static void write(RunReport report, OutputStream out) throws IOException {
        MAPPER.writeValue(out, toJson(report));
    }

    public static ObjectNode toJson(RunReport report) throws IOException {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.set("run", run(report.run()));
        JsonNode config = MAPPER.readTree(report.effectiveConfig());
        root.set("config", config);
        ObjectNode data = root.putObject("data");
        report.trainData().ifPresent(d -> data.set("train", dataset(d)));
        data.set("test", dataset(report.testData()));
        ArrayNode classNames = data.putArray("classNames");
        report.classNames().forEach(classNames::add);
        report.training().ifPresent(t -> root.set("training", training(t)));
        root.set("evaluation", evaluation(report.evaluation(), report.classNames()));
        ObjectNode gate = root.putObject("qualityGate");
        gate.put("minAccuracy", report.gate().minAccuracy());
        gate.put("passed", report.gate().passed());
        gate.put("reason", report.gate().reason());
        ArrayNode pictures = root.putArray("pictures");
        report.pictures().forEach(pictures::add);
        return root;
    }

    private static ObjectNode run(RunInfo run) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("id", run.runId());
        node.put("command", run.command());
        node.put("start", run.start().toString());
        node.put("end", run.end().toString());
        node.put("sparkMaster", run.sparkMaster());
        node.put("applicationId", run.applicationId());
        node.put("executorCount", run.executors().size());
        ArrayNode executors = node.putArray("executors");
        for (ExecutorBackend e : run.executors()) {
            ObjectNode executor = executors.addObject();
            executor.put("id", e.executorId());
            executor.put("host", e.host());
            executor.put("backend", e.backend());
        }
        ArrayNode devices = node.putArray("devices");
        for (DeviceUse d : run.devices()) {
            ObjectNode device = devices.addObject();
            device.put("executor", d.executorId());
            device.put("host", d.host());
            device.put("device", d.device());
            device.put("gpuAddress", d.gpuAddress());
            device.put("description", d.description());
            ArrayNode partitions = device.putArray("trainingPartitions");
            d.partitions().forEach(partitions::add);
        }
        node.put("backend", run.backend());
        ObjectNode versions = node.putObject("versions");
        versions.put("sparkcnn", run.build().sparkcnnVersion());
        versions.put("spark", run.build().sparkVersion());
        versions.put("dl4j", run.build().dl4jVersion());
        versions.put("scala", run.build().scalaVersion());
        versions.put("engines", run.build().engines());
        versions.put("nd4jNative", run.build().nativeClassifier());
        versions.put("nd4jBackend", run.build().nd4jBackend());
        return node;
    }

    private static ObjectNode dataset(DatasetSummary d) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("images", d.imagesUri());
        node.put("labels", d.labelsUri());
        node.put("count", d.count());
        node.put("rows", d.rows());
        node.put("cols", d.cols());
        node.put("imagesSha256", d.imagesSha256());
        node.put("labelsSha256", d.labelsSha256());
        ArrayNode counts = node.putArray("classCounts");
        for (int c : d.classCounts()) {
            counts.add(c);
        }
        return node;
    }

    private static ObjectNode training(TrainingHistory t) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("workers", t.workers());
        node.put("seconds", t.totalSeconds());
        node.put("images", t.totalImages());
        node.put("imagesPerSecond", t.totalImages() / Math.max(t.totalSeconds(), 1e-9));
        ArrayNode epochs = node.putArray("epochs");
        for (EpochRecord e : t.epochs()) {
            ObjectNode epoch = epochs.addObject();
            epoch.put("epoch", e.epoch());
            epoch.put("rounds", e.rounds());
            epoch.put("images", e.images());
            epoch.put("seconds", e.seconds());
            epoch.put("imagesPerSecond", e.imagesPerSecond());
            epoch.put("meanLoss", e.meanLoss());
            putNumberOrNull(epoch, "testAccuracy", e.testAccuracy());
            putNumberOrNull(epoch, "validationAccuracy", e.validationAccuracy());
        }
        node.set("validation", validation(t.validation()));
        ArrayNode losses = node.putArray("roundLosses");
        t.roundLosses().forEach(losses::add);
        t.timeSplit().ifPresent(s -> {
            ObjectNode split = node.putObject("timeSplitSeconds");
            split.put("total", s.totalMillis() / 1000.0);
            split.put("workerCompute", s.computeMillis() / 1000.0);
            split.put("averaging", s.aggregationMillis() / 1000.0);
            split.put("schedulingAndOther", s.otherMillis() / 1000.0);
        });
        return node;
    }

    /** Since 1.1: how the model was measured while training, the best model and early stopping. */
    private static ObjectNode validation(ValidationSummary v) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("dataset", v.dataset());
        node.put("examples", v.examples());
        node.put("every", v.every());
        ArrayNode all = node.putArray("validations");
        for (ValidationRecord r : v.state().history()) {
            ObjectNode one = all.addObject();
            one.put("epoch", r.epoch());
            one.put("round", r.round());
            one.put("epochEnd", r.epochEnd());
            putNumberOrNull(one, "accuracy", r.accuracy());
            putNumberOrNull(one, "loss", r.loss());
            one.put("improved", r.improved());
        }
        node.put("bestModel", v.bestModel());
        v.state().best().ifPresentOrElse(b -> {
            ObjectNode best = node.putObject("best");
            best.put("epoch", b.epoch());
            best.put("round", b.round());
            putNumberOrNull(best, "accuracy", b.accuracy());
        }, () -> node.putNull("best"));
        ObjectNode stopping = node.putObject("earlyStopping");
        stopping.put("patience", v.stopping().patience());
        stopping.put("minDelta", v.stopping().minDelta());
        stopping.put("stoppedEarly", v.state().stopped());
        if (v.state().stopped()) {
            stopping.put("reason", v.state().stopReason());
        } else {
            stopping.putNull("reason");
        }
        return node;
    }

    /** JSON has no NaN: a value that was not measured is null. */
    private static void putNumberOrNull(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    private static ObjectNode evaluation(EvaluationResult e, List<String> names) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("examples", e.examples());
        node.put("accuracy", e.accuracy());
        node.put("loss", e.loss());
        node.put("macroPrecision", e.macroPrecision());
        node.put("macroRecall", e.macroRecall());
        node.put("macroF1", e.macroF1());
        node.put("weightedPrecision", e.weightedPrecision());
        node.put("weightedRecall", e.weightedRecall());
        node.put("weightedF1", e.weightedF1());
        ArrayNode classes = node.putArray("classes");
        for (EvaluationResult.ClassMetrics c : e.classes()) {
            ObjectNode cls = classes.addObject();
            cls.put("label", c.label());
            cls.put("name", names.get(c.label()));
            cls.put("precision", c.precision());
            cls.put("recall", c.recall());
            cls.put("f1", c.f1());
            cls.put("support", c.support());
        }
        ArrayNode errors = node.putArray("misclassifiedSample");
        for (Misclassified m : e.misclassified()) {
            ObjectNode error = errors.addObject();
            error.put("index", m.index());
            error.put("label", m.label());
            error.put("predicted", m.predicted());
            error.put("labelName", names.get(m.label()));
            error.put("predictedName", names.get(m.predicted()));
            error.put("confidence", m.confidence());
        }
        ArrayNode matrix = node.putArray("confusionMatrix");
        for (long[] row : e.confusionMatrix()) {
            ArrayNode r = matrix.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        return node;
    }
}
