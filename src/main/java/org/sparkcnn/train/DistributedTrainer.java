package org.sparkcnn.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Optional;

/**
 * How one pass over distributed minibatches updates the model. The only seam between sparkcnn and the
 * distributed-training engine ({@link AllReduceTrainer}, or dl4j-spark's parameter averaging in the Spark
 * 3.5 build), each built by its {@link TrainingEngineFactory}, so that an engine can be added or left out
 * without touching the rest of the pipeline.
 */
public interface DistributedTrainer {
    /**
     * Fits one pass over {@code minibatches} (DataSets of exactly the per-worker batch size, except the
     * last of a partition). The model returned by {@link #network()} is updated in place.
     *
     * @param seed seeds the engine's own randomness (e.g. how minibatches are dealt to rounds), so that a
     *             pass can be repeated exactly after a resume
     */
    void fitPass(JavaRDD<DataSet> minibatches, RoundListener listener, long seed);

    /** The current model, held on the driver. */
    MultiLayerNetwork network();

    /** Where the time went so far (worker compute, averaging, scheduling), if the engine measures it. */
    Optional<TimeSplit> timeSplit();
}
