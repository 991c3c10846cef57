package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.device.TaskDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag$;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@link DistributedTrainer} that keeps one model per worker resident for a whole pass and averages the
 * workers' parameters (and optimiser state) every {@code averagingFrequency} minibatches with a ring
 * all-reduce between the workers themselves. The same synchronous averaging as dl4j-spark's
 * parameter averaging (the Spark 3.5 build's other engine), but one Spark job per pass instead of one per round: the driver
 * ships the model once, and rounds cost only the exchange between neighbours.
 */
public final class AllReduceTrainer implements DistributedTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(AllReduceTrainer.class);
    private static final SecureRandom SECRETS = new SecureRandom();

    private final JavaSparkContext sc;
    private final MultiLayerNetwork network;
    private final TrainingConfig training;
    private final int workers;
    /** Zero, or the wait that replaces each minibatch's step (bench.simulated-step-millis, bench only). */
    private final Duration simulatedStep;
    /**
     * Whether the workers meet through the driver's {@link RendezvousBoard} (the sparkcnn plugin runs), or
     * through Spark's barrier allGather, which costs each pass a second (see the board).
     */
    private final boolean throughPlugin;
    private long totalNanos;
    private long computeNanos;
    private long averagingNanos;

    /**
     * @throws BadInputException when the Spark settings rule this engine out: barrier stages cannot run
     *                           with dynamic allocation
     */
    public AllReduceTrainer(JavaSparkContext sc, MultiLayerNetwork network, TrainingConfig training, int workers) {
        this(sc, network, training, workers, Duration.ZERO);
    }

    /**
     * As {@link #AllReduceTrainer(JavaSparkContext, MultiLayerNetwork, TrainingConfig, int)}, each worker
     * waiting {@code simulatedStep} per minibatch instead of training when it is positive (bench only).
     */
    public AllReduceTrainer(JavaSparkContext sc, MultiLayerNetwork network, TrainingConfig training, int workers,
                            Duration simulatedStep) {
        requireCompatible(sc.getConf());
        this.sc = sc;
        this.network = network;
        this.training = training;
        this.workers = workers;
        this.simulatedStep = simulatedStep;
        this.throughPlugin = SparkCnnPlugin.installed(sc.getConf());
        if (!throughPlugin) {
            LOG.info("spark.plugins does not name {}: the all-reduce workers meet through Spark's barrier allGather, "
                    + "which costs about a second per pass", SparkCnnPlugin.class.getName());
        }
    }

    static void requireCompatible(SparkConf conf) {
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            // the way out through the other engine only where this jar has it (not the Spark 4 build)
            throw new BadInputException("training.engine=allreduce runs Spark barrier stages, which do not work with "
                    + "spark.dynamicAllocation.enabled=true: disable dynamic allocation for this job"
                    + (TrainingEngines.has(TrainingEngine.PARAMETER_AVERAGING)
                    ? ", or set training.engine=parameter-averaging" : ""));
        }
    }

    /**
     * The ring encrypts its traffic when Spark encrypts its own: without Spark's encryption the ring's
     * secret reaches the tasks in clear (inside the task), so an eavesdropper could derive the ring's
     * keys anyway, and the encryption would cost time (docs/benchmarks.md) for nothing.
     */
    static boolean encryptsRing(SparkConf conf) {
        return conf.getBoolean("spark.network.crypto.enabled", false);
    }

    @Override
    public void fitPass(JavaRDD<DataSet> minibatches, RoundListener listener, long seed) {
        if (minibatches.getNumPartitions() != workers) {
            throw new IllegalArgumentException("all-reduce training needs one partition per worker: "
                    + minibatches.getNumPartitions() + " partitions, " + workers + " workers");
        }
        long started = System.nanoTime();
        Broadcast<NetworkSnapshot> start = sc.broadcast(NetworkSnapshot.of(network));
        int attempts = sc.getConf().getInt("spark.stage.maxConsecutiveAttempts", 4);
        // names the pass's live progress messages only: every seed of the pass derives from `seed`
        long passId = SECRETS.nextLong();
        // one relay for every attempt: it delivers each round once, however often a retry starts again
        try (RoundRelay relay = RoundRelay.open(passId, listener)) {
            for (int attempt = 1; ; attempt++) {
                try {
                    runPass(start, minibatches, relay, passId, seed);
                    return;
                } catch (Exception e) { // SparkException arrives undeclared (Scala has no checked exceptions)
                    // Spark does not retry a failed barrier ResultStage ("Could not recover from a failed
                    // barrier ResultStage"): a lost executor would end the job. The driver's model is
                    // untouched until a pass completes, so run the whole pass again from the same start,
                    // as Spark retries other stages; bad input is not retried.
                    if (!(e instanceof SparkException) || attempt >= attempts || causedByBadInput(e)) {
                        throw e;
                    }
                    LOG.warn("All-reduce pass failed (attempt {} of {}), running it again from its start: {}",
                            attempt, attempts, e.getMessage());
                }
            }
        } finally {
            start.destroy();
            totalNanos += System.nanoTime() - started;
        }
    }

    private void runPass(Broadcast<NetworkSnapshot> start, JavaRDD<DataSet> minibatches, RoundRelay relay,
                         long passId, long seed) {
        byte[] ringSecret = new byte[32];
        SECRETS.nextBytes(ringSecret);
        long rendezvousGroup = throughPlugin ? nonZero(SECRETS.nextLong()) : 0;
        AllReduceTask task = new AllReduceTask(start, training.averagingFrequency(),
                training.averageUpdaterState(), ringSecret, passId, rendezvousGroup, seed, training.allReduce(),
                encryptsRing(sc.getConf()), simulatedStep);
        List<WorkerReport> reports;
        try (RendezvousBoard board = throughPlugin ? RendezvousBoard.open(rendezvousGroup, workers) : null) {
            // each task on the GPU Spark gave it, if any, before its minibatches are computed
            reports = TaskDevice.trainingTasks(minibatches).rdd().barrier()
                    .mapPartitions(task, false, ClassTag$.MODULE$.apply(WorkerReport.class))
                    .toJavaRDD().collect();
        }
        WorkerReport lead = reports.stream().filter(r -> r.rank == 0).findFirst()
                .orElseThrow(() -> new IllegalStateException("the lead all-reduce worker sent no result"));
        lead.finalState.applyTo(network);
        relay.complete(lead.roundLosses);
        // workers run in parallel: their mean time is wall time
        computeNanos += (long) reports.stream().mapToLong(r -> r.computeNanos).average().orElse(0);
        averagingNanos += (long) reports.stream().mapToLong(r -> r.averagingNanos).average().orElse(0);
    }

    private static long nonZero(long id) {
        return id == 0 ? 1 : id;
    }

    private static boolean causedByBadInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BadInputException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public MultiLayerNetwork network() {
        return network;
    }

    @Override
    public Optional<TimeSplit> timeSplit() {
        long total = totalNanos / 1_000_000;
        long compute = computeNanos / 1_000_000;
        long averaging = averagingNanos / 1_000_000;
        return Optional.of(new TimeSplit(total, compute, averaging, Math.max(0, total - compute - averaging)));
    }
}
