package org.sparkcnn.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.sparkcnn.common.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A Spark ML stage's {@code metadata/} folder, written and read generically over its {@code params()} as
 * MLlib's DefaultParamsWriter/Reader do: one JSON line with class, timestamp, sparkVersion, uid,
 * {@code paramMap} (the values set) and {@code defaultParamMap} (the defaults), each value in its param's
 * own JSON encoding, plus a stage's extra fields. {@code PipelineModel.load} finds the class from it.
 * MLlib's own writer is {@code private[ml]}, and its Java signature differs between Spark 3.5 and 4 (json4s'
 * JObject moved from JsonAST), both of which sparkcnn builds for. With this, no param is named anywhere but
 * in its stage's constructor.
 */
public final class ParamsMetadata {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String METADATA = "metadata";

    private ParamsMetadata() {
    }

    /** Writes {@code path/metadata}: the stage's class, uid and params, and {@code extra} fields. */
    public static void save(Params stage, String path, SparkContext sc, Map<String, JsonNode> extra) {
        ObjectNode metadata = JSON.createObjectNode();
        metadata.put("class", stage.getClass().getName());
        metadata.put("timestamp", System.currentTimeMillis());
        metadata.put("sparkVersion", sc.version());
        metadata.put("uid", stage.uid());
        ObjectNode set = metadata.putObject("paramMap");
        ObjectNode defaults = metadata.putObject("defaultParamMap");
        for (Param<?> p : stage.params()) {
            @SuppressWarnings("unchecked")
            Param<Object> param = (Param<Object>) p;
            if (stage.isSet(param)) {
                set.set(param.name(), encode(param, stage.get(param).get()));
            }
            if (stage.hasDefault(param)) {
                defaults.set(param.name(), encode(param, stage.getDefault(param).get()));
            }
        }
        extra.forEach(metadata::set);
        try {
            new JavaSparkContext(sc).parallelize(List.of(JSON.writeValueAsString(metadata)), 1)
                    .saveAsTextFile(new Path(path, METADATA).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code path/metadata}, which must describe a {@code expected}. */
    public static JsonNode load(String path, SparkContext sc, Class<?> expected) {
        try {
            Path dir = new Path(path, METADATA);
            FileSystem fs = dir.getFileSystem(sc.hadoopConfiguration());
            if (!fs.exists(dir)) {
                throw new BadInputException(path + ": not a saved Spark ML stage (no metadata/)");
            }
            JsonNode metadata = JSON.readTree(new JavaSparkContext(sc).textFile(dir.toString()).first());
            if (!expected.getName().equals(metadata.path("class").asText())) {
                throw new BadInputException(path + ": holds a " + metadata.path("class").asText() + ", expected a "
                        + expected.getName());
            }
            return metadata;
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }

    /** Sets the saved defaults and values on {@code stage} (created with the saved uid). */
    public static void setParams(Params stage, JsonNode metadata, String path) {
        apply(stage, metadata.path("defaultParamMap"), path, true);
        apply(stage, metadata.path("paramMap"), path, false);
    }

    @SuppressWarnings("unchecked")
    private static void apply(Params stage, JsonNode values, String path, boolean defaults) {
        for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!stage.hasParam(entry.getKey())) {
                throw new BadInputException(path + ": param '" + entry.getKey() + "' is not one of "
                        + stage.getClass().getSimpleName() + "'s");
            }
            Param<Object> param = (Param<Object>) stage.getParam(entry.getKey());
            Object value = param.jsonDecode(entry.getValue().toString());
            if (defaults) {
                stage.setDefault(param, value);
            } else {
                stage.set(param, value);
            }
        }
    }

    private static JsonNode encode(Param<Object> param, Object value) {
        try {
            return JSON.readTree(param.jsonEncode(value));
        } catch (IOException e) {
            throw new UncheckedIOException(param.name() + ": " + e.getMessage(), e);
        }
    }
}
