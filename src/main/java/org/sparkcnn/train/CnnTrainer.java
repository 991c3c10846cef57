package org.sparkcnn.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.ModelConfig;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.data.DatasetShape;
import org.sparkcnn.data.LabeledImages;
import org.sparkcnn.data.MinibatchFactory;
import org.sparkcnn.data.MinibatchStream;
import org.sparkcnn.fit.MinibatchFitters;
import org.sparkcnn.model.CnnArchitecture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Trains the CNN on training shards that live on the executors (the Estimator of the pipeline: data in,
 * trained model and its history out). Each epoch reshuffles every shard's examples into fresh minibatches
 * on the executors, then lets the {@link DistributedTrainer} make one pass over them.
 */
public final class CnnTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(CnnTrainer.class);
    private static final Logger PROBABILITIES = LoggerFactory.getLogger("org.sparkcnn.probabilities");
    private static final String KRYO_BUFFER_MAX = "spark.kryoserializer.buffer.max";

    private final JavaSparkContext sc;
    private final ModelConfig model;
    private final TrainingConfig training;
    private final DatasetShape shape;
    /** Zero, or the wait that replaces each minibatch's step: bench.simulated-step-millis, bench only. */
    private final Duration simulatedStep;

    public CnnTrainer(JavaSparkContext sc, ModelConfig model, TrainingConfig training, DatasetShape shape) {
        this(sc, model, training, shape, Duration.ZERO);
    }

    /**
     * A trainer whose all-reduce workers wait {@code simulatedStep} per minibatch instead of training, when
     * it is positive: the bench's compute-free mode, which measures the ring and Spark's barrier at more
     * workers than there are cores. The model learns nothing.
     */
    public CnnTrainer(JavaSparkContext sc, ModelConfig model, TrainingConfig training, DatasetShape shape,
                      Duration simulatedStep) {
        if (!simulatedStep.isZero() && training.engine() != TrainingEngine.ALLREDUCE) {
            throw new IllegalArgumentException("a simulated step needs training.engine = allreduce");
        }
        this.sc = sc;
        this.model = model;
        this.training = training;
        this.shape = shape;
        this.simulatedStep = simulatedStep;
    }

    /** Training tasks that run in parallel: the configured number, or every core Spark has. */
    public int workers() {
        return training.workers() > 0 ? training.workers() : sc.defaultParallelism();
    }

    /**
     * @param shards       the training set, one partition per worker (see {@link #workers()})
     * @param examples     examples in {@code shards}
     * @param validation   when and on what the model is measured while training, early stopping, and
     *                     whether the best model (not the last) is returned; an epoch-end measurement is not
     *                     counted as training time (a mid-epoch one is: the epoch's clock keeps running)
     * @param checkpointer saves the state after every segment and each epoch
     * @param everyRounds  checkpoint interval in rounds, 0 = epoch ends only
     * @param resume       where an earlier, interrupted run of the same job stopped
     */
    public TrainedModel fit(JavaRDD<LabeledImages> shards, long examples, ValidationPlan validation,
                            Checkpointer checkpointer, int everyRounds, Optional<ResumePoint> resume) {
        int workers = workers();
        int roundsPerEpoch = roundsPerEpoch(examples, workers);
        int segmentRounds = segmentRounds(everyRounds, validation.everyRounds());
        int segments = resume.map(r -> r.position().segmentsPerEpoch())
                .orElse(segmentRounds > 0 ? Math.max(1, (roundsPerEpoch + segmentRounds - 1) / segmentRounds) : 1);
        int iterationsPerEpoch = roundsPerEpoch * training.averagingFrequency();
        MultiLayerNetwork network = resume.map(ResumePoint::network).orElseGet(() -> newNetwork(iterationsPerEpoch));
        requireTrainable(network);
        TrainingPosition start = resume.map(ResumePoint::position)
                .orElse(new TrainingPosition(1, 0, segments, model.seed(), List.of(), List.of(),
                        ValidationState.INITIAL, null));
        resume.ifPresent(r -> LOG.info("Resuming from checkpoint {}: epoch {}, segment {}/{} done", r.source(),
                r.position().epoch(), r.position().segmentsDone(), r.position().segmentsPerEpoch()));
        LOG.info("Training {} parameters on {} images with {} workers ({}): {} epochs, batch {} per worker, "
                        + "averaging every {} minibatches (~{} rounds per epoch, {} checkpoint segments), optimiser {} lr {}",
                network.numParams(), examples, workers, training.engine().configValue(),
                training.epochs(), training.batchSizePerWorker(),
                training.averagingFrequency(), roundsPerEpoch, segments, model.optimizer().name().toLowerCase(),
                model.learningRate());

        DistributedTrainer trainer = newTrainer(network, workers);
        ProgressLog progress = new ProgressLog(training.epochs(), examples, roundsPerEpoch, training.logEveryRounds(),
                start.roundLosses());
        RoundListener listener = probabilityLogging(progress, trainer, shards);
        // WHEN: the configured schedule, and always the end of training so the last model is measured too;
        // never when the plan measures nothing
        Trigger validateWhen = validation.measures() ? validation.when().or(Trigger.maxEpoch(training.epochs()))
                : Trigger.never();
        Trigger endWhen = Trigger.maxEpoch(training.epochs()).or(Trigger.stopRequested());
        List<EpochRecord> epochs = new ArrayList<>(start.completedEpochs());
        ValidationState state = start.validation();
        MultiLayerNetwork best = resume.flatMap(ResumePoint::bestNetwork).orElse(null);
        long previousRounds = start.roundLosses().size();
        if (state.stopped()) {
            LOG.info("Training had already stopped early: {}", state.stopReason());
        }
        training:
        for (int epoch = start.epoch(); epoch <= training.epochs() && !state.stopped(); epoch++) {
            int firstSegment = epoch == start.epoch() ? start.segmentsDone() : 0;
            progress.startEpoch(epoch, roundsPerEpoch * firstSegment / segments);
            for (int segment = firstSegment; segment < segments; segment++) {
                // one segment's floats at a time (checkpoint.every-rounds bounds them), kept for the pass only
                JavaRDD<DataSet> minibatches = minibatches(shards, epoch, segment, segments)
                        .persist(StorageLevel.MEMORY_ONLY());
                trainer.fitPass(minibatches, listener, model.seed() * 31 + epoch * 1009L + segment);
                minibatches.unpersist(false);
                boolean epochEnd = segment + 1 == segments;
                double seconds = epochEnd ? progress.finishTraining() : 0;
                long rounds = progress.roundsSoFar();
                TriggerState at = new TriggerState(epoch, epochEnd, rounds, previousRounds, false);
                previousRounds = rounds;
                double accuracy = Double.NaN;
                if (validateWhen.fires(at)) {
                    Validator.Score score = validation.validator().orElseThrow().validate(trainer.network());
                    state = validation.stopping().observe(state, epoch, rounds, epochEnd, score.accuracy(),
                            score.loss());
                    ValidationRecord latest = state.history().get(state.history().size() - 1);
                    logValidation(validation, state, latest);
                    if (latest.improved() && validation.keepBest()) {
                        best = trainer.network().clone();
                        checkpointer.saveBest(best, latest);
                    }
                    accuracy = score.accuracy();
                }
                boolean stop = endWhen.fires(new TriggerState(epoch, epochEnd, rounds, rounds, state.stopped()));
                if (stop && !epochEnd) {
                    seconds = progress.finishTraining();
                }
                if (epochEnd || stop) {
                    epochs.add(progress.epochRecord(seconds, accuracy, validation.dataset(), epochEnd));
                }
                // only a kept best model is stored; without a validation set the best is only reported
                String bestModel = validation.keepBest() ? state.best().map(ValidationRecord::modelName).orElse(null)
                        : null;
                checkpointer.save(trainer.network(), new TrainingPosition(epochEnd ? epoch + 1 : epoch,
                        epochEnd ? 0 : segment + 1, segments, model.seed(), epochs, progress.allLosses(), state,
                        bestModel));
                if (stop) {
                    break training;
                }
            }
        }
        if (state.stopped()) {
            LOG.info("Stopped early: {}", state.stopReason());
        }
        ValidationSummary summary = new ValidationSummary(validation.dataset(), validation.examples(),
                validation.everyRounds() == 0 ? "epoch" : validation.everyRounds() + " rounds",
                validation.stopping(), state, validation.keepBest() && best != null);
        TrainingHistory history = new TrainingHistory(epochs, progress.allLosses(), workers, trainer.timeSplit(),
                summary);
        history.timeSplit().ifPresent(t -> LOG.info(
                "Training time {} s: worker compute {} s, averaging {} s, scheduling/other {} s",
                t.totalMillis() / 1000.0, t.computeMillis() / 1000.0, t.aggregationMillis() / 1000.0,
                t.otherMillis() / 1000.0));
        if (summary.bestModel()) {
            ValidationRecord b = state.best().orElseThrow();
            LOG.info(String.format("Trained model: the best by %s accuracy, %.4f at epoch %d, round %d",
                    validation.dataset(), b.accuracy(), b.epoch(), b.round()));
            return new TrainedModel(best, history);
        }
        return new TrainedModel(trainer.network(), history);
    }

    /** The configured engine, from the engines this jar has: the only place that picks one. */
    private DistributedTrainer newTrainer(MultiLayerNetwork network, int workers) {
        if (!simulatedStep.isZero()) {
            // the bench's compute-free mode belongs to the allreduce engine (the constructor checked it is the one)
            return new AllReduceTrainer(sc, network, training, workers, simulatedStep);
        }
        return TrainingEngines.require(training.engine(), "training.engine=" + training.engine().configValue())
                .create(sc, network, training, workers, model.seed());
    }

    /** Segment length in rounds: the shorter of the checkpoint and validation intervals (0 = whole epochs). */
    static int segmentRounds(int checkpointRounds, int validationRounds) {
        if (checkpointRounds > 0 && validationRounds > 0) {
            return Math.min(checkpointRounds, validationRounds);
        }
        return Math.max(checkpointRounds, validationRounds);
    }

    private static void logValidation(ValidationPlan validation, ValidationState state, ValidationRecord v) {
        LOG.info(String.format("Validation at epoch %d, round %d: %s accuracy %.4f, loss %.4f%s", v.epoch(), v.round(),
                validation.dataset(), v.accuracy(), v.loss(), v.improved() ? " (best so far)"
                        : String.format(" (no improvement for %d validation%s; best %.4f)",
                        state.validationsWithoutImprovement(), state.validationsWithoutImprovement() == 1 ? "" : "s",
                        state.best().orElseThrow().accuracy())));
    }

    /**
     * What would otherwise fail on the executors, found before the first pass: the all-reduce engine's
     * training step must take this network, and the model with its optimiser state must fit in one Kryo
     * buffer, which ships it to the workers and the lead worker's result back (the dense layer grows with
     * the image: 3.3M parameters, 39 MB with Adam's state, for 28x28; ~45M fill the default 512 MiB).
     */
    private void requireTrainable(MultiLayerNetwork network) {
        if (training.engine() == TrainingEngine.ALLREDUCE) {
            MinibatchFitters.requireSupported(training.allReduce().cpuKernels(), network);
        }
        long state = network.getUpdater() == null || network.getUpdater().getStateViewArray() == null ? 0
                : network.getUpdater().getStateViewArray().length();
        long bytes = (network.numParams() + state) * Float.BYTES;
        long buffer = sc.getConf().getSizeAsBytes(KRYO_BUFFER_MAX, "64m");
        if (bytes > buffer) {
            throw new BadInputException(String.format("spark.properties.\"%s\"=%s: the model of %s images has %d "
                            + "parameters, %d MiB with the optimiser state, more than one Kryo buffer holds; raise it "
                            + "(at most 2047m) or train on smaller images (data.resize=true)", KRYO_BUFFER_MAX,
                    sc.getConf().get(KRYO_BUFFER_MAX, "64m"), CnnArchitecture.describe(shape), network.numParams(),
                    bytes >> 20));
        }
    }

    private MultiLayerNetwork newNetwork(int iterationsPerEpoch) {
        MultiLayerNetwork network = new MultiLayerNetwork(
                CnnArchitecture.build(model, shape, iterationsPerEpoch));
        network.init();
        return network;
    }

    /** Rounds in one epoch: each worker's minibatches divided by the averaging frequency. */
    private int roundsPerEpoch(long examples, int workers) {
        long batchesPerWorker = (examples / workers + training.batchSizePerWorker() - 1) / training.batchSizePerWorker();
        return (int) Math.max(1, batchesPerWorker / training.averagingFrequency());
    }

    /**
     * Segment {@code segment} of {@code segments} of this epoch's minibatches: each shard's share of it
     * ({@link MinibatchStream}), shuffled with a seed derived from (seed, epoch, shard).
     */
    private JavaRDD<DataSet> minibatches(JavaRDD<LabeledImages> shards, int epoch, int segment, int segments) {
        int numClasses = shape.numClasses();
        int batchSize = training.batchSizePerWorker();
        long seed = Math.floorMod(model.seed() * 1_000_003L + epoch, Long.MAX_VALUE);
        return shards.mapPartitionsWithIndex((partition, blocks) -> new MinibatchStream(blocks,
                new MinibatchFactory(numClasses), batchSize, segment, segments, seed + partition), true);
    }

    /**
     * The seed's logging hook: every N rounds, the current model's softmax output for a few training
     * images, at DEBUG on logger org.sparkcnn.probabilities.
     */
    private RoundListener probabilityLogging(ProgressLog progress, DistributedTrainer trainer,
                                             JavaRDD<LabeledImages> shards) {
        int every = training.logProbabilitiesEveryRounds();
        if (every <= 0 || !PROBABILITIES.isDebugEnabled()) {
            return progress;
        }
        DataSet sample = new MinibatchFactory(shape.numClasses()).toDataSet(shards.first().slice(0, 3));
        int[] count = {0};
        return (round, rounds, loss) -> {
            progress.roundCompleted(round, rounds, loss);
            if (++count[0] % every == 0) {
                INDArray p = trainer.network().output(sample.getFeatures(), false);
                for (int i = 0; i < p.rows(); i++) {
                    PROBABILITIES.debug("round {}: label {} probabilities {}", count[0],
                            sample.getLabels().getRow(i).argMax().getInt(0),
                            Arrays.toString(p.getRow(i).toFloatVector()));
                }
            }
        };
    }
}
