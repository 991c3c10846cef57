package org.sparkcnn.report.pictures;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.sparkcnn.train.EpochRecord;
import org.sparkcnn.train.TrainingHistory;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.ValidationRecord;
import org.sparkcnn.train.ValidationSummary;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** The report's charts, drawn headless with XChart. */
public final class Charts {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 360;

    private Charts() {
    }

    /** Training loss of every averaging round. */
    public static Picture trainingLoss(TrainingHistory history) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Training loss per averaging round")
                .xAxisTitle("round").yAxisTitle("cross-entropy loss").build();
        List<Double> losses = history.roundLosses();
        List<Integer> rounds = IntStream.rangeClosed(1, losses.size()).boxed().toList();
        chart.addSeries("loss (mean over workers)", rounds, losses).setMarker(SeriesMarkers.NONE);
        chart.getStyler().setLegendVisible(false);
        return picture("training_loss.png", "Training loss per averaging round", chart);
    }

    /**
     * Accuracy measured during training: on the validation set (or the test set without one), after each
     * epoch or every N rounds as scheduled.
     */
    public static Picture accuracyPerEpoch(TrainingHistory history) {
        ValidationSummary v = history.validation();
        String set = v.dataset().equals(ValidationPlan.TEST) ? "Test" : "Validation";
        boolean byEpoch = v.every().equals("epoch");
        String title = set + " accuracy during training" + (byEpoch ? " (after each epoch)" : " (every " + v.every() + ")");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(byEpoch ? "epoch" : "round").yAxisTitle("accuracy (%)").build();
        List<ValidationRecord> points = v.state().history();
        List<Long> x = points.stream().map(p -> byEpoch ? (long) p.epoch() : p.round()).toList();
        List<Double> accuracy = points.stream().map(p -> 100 * p.accuracy()).toList();
        if (!points.isEmpty()) {
            chart.addSeries(set.toLowerCase() + " accuracy", x, accuracy);
        }
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setDecimalPattern("#0.00");
        return picture("accuracy.png", title, chart);
    }

    /** Training throughput of each epoch. */
    public static Picture throughput(TrainingHistory history) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Training throughput per epoch").xAxisTitle("epoch").yAxisTitle("images/s").build();
        List<Integer> epochs = history.epochs().stream().map(EpochRecord::epoch).toList();
        List<Double> rate = history.epochs().stream().map(EpochRecord::imagesPerSecond).toList();
        chart.addSeries("images/s", epochs, rate);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setDecimalPattern("#0");
        return picture("throughput.png", "Training throughput per epoch", chart);
    }

    /** Confusion matrix as a heat map, with the counts written in the cells. */
    public static Picture confusionMatrix(long[][] confusion) {
        int n = confusion.length;
        HeatMapChart chart = new HeatMapChartBuilder().width(560).height(520).title("Confusion matrix")
                .xAxisTitle("predicted label").yAxisTitle("true label").build();
        List<Integer> predictedLabels = IntStream.range(0, n).boxed().toList();
        // XChart draws the first y category at the bottom: list true labels high to low so 0 is on top
        List<Integer> trueLabels = IntStream.range(0, n).map(i -> n - 1 - i).boxed().toList();
        List<Number[]> cells = new ArrayList<>();
        for (int actual = 0; actual < n; actual++) {
            for (int predicted = 0; predicted < n; predicted++) {
                // log scale so the few errors are visible next to ~1000 correct predictions
                cells.add(new Number[]{predicted, n - 1 - actual, Math.log1p(confusion[actual][predicted])});
            }
        }
        chart.addSeries("count", predictedLabels, trueLabels, cells);
        chart.getStyler().setShowValue(false);
        chart.getStyler().setRangeColors(new Color[]{Color.WHITE, new Color(0x9ecae1), new Color(0x08306b)});
        chart.getStyler().setLegendVisible(false);
        return picture("confusion_matrix.png", "Confusion matrix (colour: log of the count; rows: true label, "
                + "columns: predicted label)", chart);
    }

    private static Picture picture(String file, String title, Chart<?, ?> chart) {
        try {
            return new Picture(file, title, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
