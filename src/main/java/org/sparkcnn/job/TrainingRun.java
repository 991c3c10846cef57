package org.sparkcnn.job;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.config.JobConfig;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.ValidationSplit;
import org.sparkcnn.eval.DistributedEvaluator;
import org.sparkcnn.eval.EvaluationResult;
import org.sparkcnn.train.Checkpointer;
import org.sparkcnn.train.CnnTrainer;
import org.sparkcnn.train.ResumePoint;
import org.sparkcnn.train.TrainedModel;
import org.sparkcnn.train.ValidationPlan;
import org.sparkcnn.train.Validator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * One training run on a prepared training set, the same for the train command and the Estimator: holds
 * the validation set out of it (data.validation-size), loads the shards on the executors, trains with the
 * configured engine while measuring the model as training.validation says, and releases the shards it
 * loaded. What it is measured on: the validation set when there is one, else the {@link Fallback} the
 * caller gives (the train command: the test set), else nothing at all.
 */
public final class TrainingRun {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

    private TrainingRun() {
    }

    /**
     * What the model is measured on while it trains when there is no validation set; its shards stay the
     * caller's (loaded and released by it).
     *
     * @param dataset  its name in logs and report ({@link ValidationPlan#TEST})
     * @param examples images in {@code shards}
     */
    public record Fallback(String dataset, JavaRDD<LabeledImages> shards, long examples) {
    }

    /**
     * How the run checkpoints: the train command's; {@link #NONE} for the Estimator.
     *
     * @param everyRounds checkpoint interval in rounds, 0 = epoch ends only
     * @param resume      where an earlier, interrupted run of the same job stopped
     */
    public record Checkpoints(Checkpointer checkpointer, int everyRounds, Optional<ResumePoint> resume) {
        public static final Checkpoints NONE = new Checkpoints(Checkpointer.NONE, 0, Optional.empty());
    }

    /**
     * @param fallbackEvaluation the fallback's evaluation of the trained model, when the last measurement
     *                           during training was the fallback's and of that model (the end of training is
     *                           always measured); empty with a validation set, without a fallback, or when a
     *                           resumed run had nothing left to train
     */
    public record Result(TrainedModel trained, Optional<EvaluationResult> fallbackEvaluation) {
    }

    /**
     * @param evaluator measures the model on the validation set or the fallback
     * @param fallback  measured when there is no validation set; empty = nothing is measured then
     */
    public static Result fit(JavaSparkContext sc, JobConfig config, PreparedData train, DistributedEvaluator evaluator,
                             Optional<Fallback> fallback, Checkpoints checkpoints) {
        long seed = config.model().seed();
        CnnTrainer trainer = new CnnTrainer(sc, config.model(), config.training(), train.shape());
        ValidationSplit split = ValidationSplit.choose(train.used(), config.data().validationSize(), seed);
        JavaRDD<LabeledImages> trainShards = train.shards(sc, trainer.workers(), split.training());
        Optional<JavaRDD<LabeledImages>> validationShards = Optional.empty();
        try {
            EvaluationResult[] latest = new EvaluationResult[1];
            ValidationPlan plan = ValidationPlan.NONE;
            if (!split.isEmpty()) {
                LOG.info("Holding out {} of the {} training examples as the validation set (chosen from seed {})",
                        split.validationCount(), train.used(), seed);
                validationShards = Optional.of(train.shards(sc, sc.defaultParallelism(), split.validation()));
                plan = ValidationPlan.of(config.validation(), measuring(evaluator, validationShards.get(), latest),
                        ValidationPlan.VALIDATION, split.validationCount());
            } else if (fallback.isPresent()) {
                plan = ValidationPlan.of(config.validation(), measuring(evaluator, fallback.get().shards(), latest),
                        fallback.get().dataset(), fallback.get().examples());
            }
            TrainedModel trained = trainer.fit(trainShards, split.trainingCount(), plan, checkpoints.checkpointer(),
                    checkpoints.everyRounds(), checkpoints.resume());
            return new Result(trained, split.isEmpty() ? Optional.ofNullable(latest[0]) : Optional.empty());
        } finally {
            trainShards.unpersist(false);
            validationShards.ifPresent(shards -> shards.unpersist(false));
        }
    }

    /** Evaluates {@code shards}, keeping the latest evaluation in {@code latest[0]}. */
    private static Validator measuring(DistributedEvaluator evaluator, JavaRDD<LabeledImages> shards,
                                       EvaluationResult[] latest) {
        return network -> {
            latest[0] = evaluator.evaluate(network, shards);
            return new Validator.Score(latest[0].accuracy(), latest[0].loss());
        };
    }
}
