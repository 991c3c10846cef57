package org.sparkcnn.predict;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparkcnn.config.PredictConfig;
import org.sparkcnn.data.DatasetShape;

import java.util.Arrays;
import java.util.OptionalDouble;

/** The predict pipeline's Spark part: load the inputs, score them, measure them. */
public final class Predictions {
    private Predictions() {
    }

    /** The images to score: {@code id}, {@code features} and, for labelled IDX input, {@code label}. */
    public static Dataset<Row> inputs(SparkSession session, DatasetShape shape, PredictConfig predict) {
        return new PredictionInputs(session, shape).load(predict);
    }

    /**
     * Scores {@code inputs}; keeps every column but the image, adds the model's prediction, predicted_label
     * (the predicted class's name) and probability columns.
     */
    public static Dataset<Row> score(CnnClassificationModel model, Dataset<Row> inputs) {
        return model.setFeaturesCol(PredictionInputs.FEATURES).transform(inputs).drop(PredictionInputs.FEATURES);
    }

    /** Fraction of rows whose prediction equals their label, when the input had labels. */
    public static OptionalDouble accuracy(Dataset<Row> scored) {
        if (!Arrays.asList(scored.columns()).contains(PredictionInputs.LABEL)) {
            return OptionalDouble.empty();
        }
        Row row = scored.agg(functions.avg(functions.when(
                scored.col("prediction").equalTo(scored.col(PredictionInputs.LABEL)), 1.0).otherwise(0.0))).first();
        return row.isNullAt(0) ? OptionalDouble.empty() : OptionalDouble.of(row.getDouble(0));
    }
}
