package org.sparkcnn.train;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;
import org.apache.spark.TaskKilledException;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkcnn.allreduce.AllReduce;
import org.sparkcnn.allreduce.RingConnector;
import org.sparkcnn.allreduce.SharedMemoryAllReduce;
import org.sparkcnn.config.AllReduceSettings;
import org.sparkcnn.fit.MinibatchFitter;
import org.sparkcnn.fit.MinibatchFitters;
import org.sparkcnn.fit.SimulatedStepFitter;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The body of one barrier task of an all-reduce pass, run on an executor: it finds its peers through
 * the driver's {@link RendezvousBoard} (or Spark's barrier allGather when the sparkcnn plugin is not installed),
 * joins them (in memory when all share this JVM, else in a TCP ring), and
 * trains its partition's minibatches as a {@link ResidentWorker}. Barrier mode makes Spark start all workers together (they wait on each other
 * every round) and retry them together when one fails.
 */
final class AllReduceTask extends AbstractFunction1<Iterator<DataSet>, Iterator<WorkerReport>>
        implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AllReduceTask.class);
    /**
     * Internal, for tests: "true" makes workers that share a JVM use the TCP ring anyway, so that local mode
     * exercises the transport that executors on different hosts use. Not a user setting.
     */
    static final String DISABLE_SHARED_MEMORY_PROPERTY = "sparkcnn.allreduce.disable-shared-memory";

    private final Broadcast<NetworkSnapshot> start;
    private final int minibatchesPerRound;
    private final boolean averageUpdaterState;
    private final String ringSecretHex;
    private final long passId;
    /** The pass's group on the driver's {@link RendezvousBoard}; 0: no plugin, meet through Spark's allGather. */
    private final long rendezvousGroup;
    private final long seed;
    /** The ring's own settings (peer timeout, CPU kernels): the rest of the job's config stays on the driver. */
    private final AllReduceSettings settings;
    /** Whether the TCP ring encrypts the parameters: as Spark's own traffic, {@code spark.network.crypto.enabled}. */
    private final boolean encryptRing;
    /** bench.simulated-step-millis: each minibatch is a wait of this long instead of a step; 0 = real steps. */
    private final long simulatedStepNanos;

    AllReduceTask(Broadcast<NetworkSnapshot> start, int minibatchesPerRound, boolean averageUpdaterState,
                  byte[] ringSecret, long passId, long rendezvousGroup, long seed, AllReduceSettings settings,
                  boolean encryptRing, Duration simulatedStep) {
        this.start = start;
        this.minibatchesPerRound = minibatchesPerRound;
        this.averageUpdaterState = averageUpdaterState;
        this.ringSecretHex = HexFormat.of().formatHex(ringSecret);
        this.passId = passId;
        this.rendezvousGroup = rendezvousGroup;
        this.seed = seed;
        this.settings = settings;
        this.encryptRing = encryptRing;
        this.simulatedStepNanos = simulatedStep.toNanos();
    }

    @Override
    public Iterator<WorkerReport> apply(Iterator<DataSet> partition) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int rank = context.partitionId();
        BarrierTaskInfo[] tasks = context.getTaskInfos();
        long started = System.nanoTime();
        List<DataSet> minibatches = new ArrayList<>();
        partition.foreach(minibatches::add);
        long minibatchesBuilt = System.nanoTime();
        try (RingConnector.Listener listener = RingConnector.listen(RingConnector.hostOf(tasks[rank].address()))) {
            Duration timeout = Duration.ofSeconds(settings.peerTimeoutSeconds());
            // one exchange swaps both where the peers are and how long this pass is
            String message = SharedMemoryAllReduce.JVM_ID + " " + listener.address() + " " + minibatches.size();
            List<String> peers = rendezvousGroup == 0 ? List.of(context.allGather(message))
                    : PeerDiscovery.throughDriver(SparkCnnPlugin::askDriver, new RendezvousRequest(rendezvousGroup,
                    context.stageAttemptNumber(), rank, tasks.length, message), timeout, () -> {
                        if (context.isInterrupted()) {
                            throw new TaskKilledException("all-reduce worker " + rank + " stopped while meeting its peers");
                        }
                    });
            List<String> addresses = new ArrayList<>();
            int mostMinibatches = 0;
            boolean oneJvm = true;
            for (String peer : peers) {
                String[] parts = peer.split(" ");
                oneJvm &= parts[0].equals(SharedMemoryAllReduce.JVM_ID);
                addresses.add(parts[1]);
                mostMinibatches = Math.max(mostMinibatches, Integer.parseInt(parts[2]));
            }
            int rounds = Math.max(1, (mostMinibatches + minibatchesPerRound - 1) / minibatchesPerRound);
            long gathered = System.nanoTime();
            MultiLayerNetwork network = start.value().toNetwork();
            long modelBuilt = System.nanoTime();
            // every worker must draw its own dropout masks: the network's init reseeded the generator. The
            // seed depends only on the run's seed, the pass's place in the run and the rank, never on the
            // attempt, so that a retried pass, and a second run, repeat the first exactly.
            long dropoutSeed = seed * 1_000_003L + rank;
            Nd4j.getRandom().setSeed(dropoutSeed);
            boolean sharedMemory = oneJvm && !Boolean.getBoolean(DISABLE_SHARED_MEMORY_PROPERTY);
            try (AllReduce ring = sharedMemory
                    ? SharedMemoryAllReduce.join(ringSecretHex + "/" + context.stageAttemptNumber(), rank,
                    addresses.size(), timeout)
                    : listener.connect(rank, addresses, HexFormat.of().parseHex(ringSecretHex), encryptRing, timeout,
                    context::isInterrupted);
                 CancellationWatch watch = CancellationWatch.watch("all-reduce worker " + rank,
                         context::isInterrupted, ring::close);
                 MinibatchFitter fitter = simulatedStepNanos > 0
                         ? new SimulatedStepFitter(network, Duration.ofNanos(simulatedStepNanos))
                         : MinibatchFitters.create(settings.cpuKernels(), network, dropoutSeed)) {
                LOG.info(String.format("All-reduce worker joined %s: %d minibatches, %d rounds; set-up %.2f s "
                                + "(minibatches %.2f s, waiting for the other tasks to start %.2f s, model %.2f s)",
                        ring, minibatches.size(), rounds, (System.nanoTime() - started) / 1e9,
                        (minibatchesBuilt - started) / 1e9, (gathered - minibatchesBuilt) / 1e9,
                        (modelBuilt - gathered) / 1e9));
                // (the oneDNN step draws its own masks from dropoutSeed, which differs in every pass)
                ResidentWorker worker = new ResidentWorker(fitter, ring, averageUpdaterState, context::isInterrupted);
                RoundListener live = rank == 0
                        ? (round, total, loss) -> SparkCnnPlugin.sendToDriver(new RoundProgress(passId, round, total, loss))
                        : (round, total, loss) -> { };
                WorkerReport report = worker.fit(minibatches, minibatchesPerRound, rounds, live);
                if (rank == 0) {
                    report.finalState = worker.snapshot();
                } else {
                    report.roundLosses = null;
                }
                return JavaConverters.asScalaIterator(List.of(report).iterator());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("all-reduce worker " + rank + " lost its ring: " + e.getMessage(), e);
        }
    }
}
