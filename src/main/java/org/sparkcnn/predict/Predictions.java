package org.sparkcnn.predict;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.sparkcnn.config.PredictConfig;
import org.sparkcnn.data.DatasetShape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/** The predict pipeline's Spark part: load the inputs, score them, measure them. */
public final class Predictions {
    private Predictions() {
    }

    /** The images to score: {@code id}, {@code features} and, for labelled IDX input, {@code label}. */
    public static Dataset<Row> inputs(SparkSession session, DatasetShape shape, PredictConfig predict) {
        return new PredictionInputs(session, shape).load(predict);
    }

    /** The string column next to {@code prediction}: the predicted class's name. */
    public static final String PREDICTED_LABEL = "predicted_label";

    /**
     * Scores {@code inputs}; keeps every column but the image, adds prediction, {@value #PREDICTED_LABEL}
     * (the name of the predicted class, {@code classNames} in label order) and probability.
     */
    public static Dataset<Row> score(CnnClassificationModel model, Dataset<Row> inputs, List<String> classNames) {
        Dataset<Row> scored = model.setFeaturesCol(PredictionInputs.FEATURES).transform(inputs)
                .drop(PredictionInputs.FEATURES);
        String prediction = model.getOrDefault(model.predictionCol());
        Column names = functions.array(classNames.stream().map(functions::lit).toArray(Column[]::new));
        Column name = functions.element_at(names, scored.col(prediction).cast("int").plus(1));
        List<Column> columns = new ArrayList<>();
        for (String column : scored.columns()) {
            columns.add(scored.col(column));
            if (column.equals(prediction)) {
                columns.add(name.as(PREDICTED_LABEL));
            }
        }
        return scored.select(columns.toArray(new Column[0]));
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
