package org.sparkcnn.report.pictures;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.train.TrainingHistory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Draws every picture of a run's report. */
public final class ReportPictures {
    private ReportPictures() {
    }

    /**
     * @param sample test images (the first is fed to the conv layers); their geometry is the model's, and
     *               their channel count (1 grey, 3 RGB) says how the misclassified images are drawn
     * @param names  the classes' names in label order
     */
    public static List<Picture> draw(MultiLayerNetwork network, Optional<TrainingHistory> training,
                                     EvaluationResult evaluation, LabeledImages sample,
                                     List<String> names) {
        List<Picture> pictures = new ArrayList<>();
        training.ifPresent(t -> {
            pictures.add(Charts.trainingLoss(t));
            pictures.add(Charts.accuracyPerEpoch(t));
            pictures.add(Charts.throughput(t));
        });
        pictures.add(Charts.confusionMatrix(evaluation.confusionMatrix()));
        if (!evaluation.misclassified().isEmpty()) {
            pictures.add(ModelPictures.misclassified(evaluation.misclassified(), sample.rows(), sample.cols(),
                    sample.channels(), names));
        }
        pictures.add(ModelPictures.firstLayerFilters(network));
        pictures.addAll(ModelPictures.convOutputs(network, sample.slice(0, 1).pixels(), sample.rows(), sample.cols(),
                sample.channels(), sample.label(0)));
        return pictures;
    }
}
