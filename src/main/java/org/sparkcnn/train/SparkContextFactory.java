package org.sparkcnn.train;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkcnn.common.BadInputException;
import org.sparkcnn.config.SparkSettings;
import org.sparkcnn.config.TrainingConfig;
import org.sparkcnn.config.TrainingEngine;
import org.sparkcnn.device.CudaKernels;
import org.sparkcnn.device.CudaPreflight;
import org.sparkcnn.device.GpuRequest;
import org.sparkcnn.device.Nd4jBackends;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Creates the Spark context with the settings sparkcnn needs. The master comes from the job config when
 * it names one, otherwise from spark-submit, otherwise an embedded {@code local[*]}.
 */
public final class SparkContextFactory {
    private static final Logger LOG = LoggerFactory.getLogger(SparkContextFactory.class);

    private SparkContextFactory() {
    }

    public static SparkConf sparkConf(SparkSettings spark, TrainingConfig training) {
        SparkConf conf = new SparkConf();
        conf.setAppName(spark.appName());
        spark.master().ifPresent(conf::setMaster);
        conf.setIfMissing("spark.master", "local[*]");
        // Models travel between driver and executors every pass (as float arrays; dl4j-spark's engine ships
        // INDArrays, and registers nd4j's Kryo registrator where the jar has it): Kryo
        conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        TrainingEngines.configure(conf);
        conf.setIfMissing("spark.kryoserializer.buffer.max", "512m");
        conf.set("spark.plugins", appendPlugin(conf.get("spark.plugins", "")));
        if (training.threadsPerTask() > 0) {
            conf.set(SparkCnnPlugin.THREADS_PER_TASK, Integer.toString(training.threadsPerTask()));
        }
        // Every round is a short job over cached, executor-resident data: don't wait for locality
        conf.setIfMissing("spark.locality.wait", "0s");
        spark.properties().forEach(conf::set);
        if (gpuRequest(conf).requested()) {
            // Spark's GPU addresses are nvidia-smi indices (PCI bus order); make CUDA number devices the same way
            conf.setIfMissing("spark.executorEnv.CUDA_DEVICE_ORDER", "PCI_BUS_ID");
        }
        adoptAuthSecretFromEnvironment(conf, System.getenv(AUTH_SECRET_ENV));
        return conf;
    }

    /** Where Spark's launchers (a standalone worker starting a driver, the submit-scripts) put the secret. */
    static final String AUTH_SECRET_ENV = "_SPARK_AUTH_SECRET";
    static final String AUTH_SECRET = "spark.authenticate.secret";

    /**
     * With {@code spark.authenticate} on a standalone master, the driver refuses to start unless
     * {@code spark.authenticate.secret} is in its configuration, but a driver launched by a worker
     * (cluster deploy mode) gets the secret only in the environment variable {@code _SPARK_AUTH_SECRET}
     * (SPARK-25078), and the submit-scripts pass it the same way so that it never shows on a command
     * line. Copy it into the configuration (in memory only) when it is not there.
     */
    static void adoptAuthSecretFromEnvironment(SparkConf conf, String secretFromEnvironment) {
        if (conf.getBoolean("spark.authenticate", false) && !conf.contains(AUTH_SECRET)
                && secretFromEnvironment != null && !secretFromEnvironment.isEmpty()) {
            conf.set(AUTH_SECRET, secretFromEnvironment);
        }
    }

    /**
     * The allreduce engine's ring secret travels to the executors inside each task. On a cluster whose
     * Spark does not authenticate, anyone who can reach the cluster can talk to the driver and executors
     * as Spark does, and so read that secret and then read or join the ring: say so before the work
     * starts. In local mode every task runs in this JVM and nothing crosses the network.
     */
    static void warnIfRingSecretExposed(SparkConf conf, TrainingEngine engine) {
        String master = conf.get("spark.master", "local[*]");
        boolean oneJvm = master.startsWith("local") && !master.startsWith("local-cluster");
        if (engine == TrainingEngine.ALLREDUCE && !oneJvm && !conf.getBoolean("spark.authenticate", false)) {
            LOG.warn("spark.authenticate is not true on master {}: the allreduce engine hands its ring secret to the "
                    + "executors inside each task, so anyone who can reach this cluster can read it and read or join "
                    + "the ring. Set spark.authenticate=true (and spark.network.crypto.enabled=true to encrypt Spark's "
                    + "traffic and the ring's)", master);
        }
    }

    /**
     * @throws BadInputException when the conf asks for GPUs this jar or this driver host cannot provide
     */
    public static JavaSparkContext create(SparkSettings spark, TrainingConfig training) {
        SparkConf conf = sparkConf(spark, training);
        warnIfRingSecretExposed(conf, training.engine());
        boolean cuda = Nd4jBackends.cudaOnClasspath();
        gpuRequest(conf).check(cuda);
        if (cuda) {
            // the driver builds and averages the model with nd4j too, so the CUDA build needs a GPU here as well
            CudaPreflight.ofHost("the Spark driver's host").refusal().ifPresent(r -> {
                throw new BadInputException(r + " (the driver of the CUDA build needs a GPU too: run it on a GPU "
                        + "node, e.g. spark.driver.resource.gpu.amount=1 in cluster mode)");
            });
        }
        try {
            SparkCnnPlugin.prepareJvm(SparkCnnPlugin.threadsPerTask(conf));
        } catch (RuntimeException | LinkageError e) {
            if (!cuda) {
                throw e;
            }
            throw new BadInputException(CudaKernels.startFailure("the Spark driver", e), e);
        }
        return new JavaSparkContext(conf);
    }

    private static GpuRequest gpuRequest(SparkConf conf) {
        return GpuRequest.of(key -> Optional.ofNullable(conf.get(key, null)));
    }

    private static String appendPlugin(String plugins) {
        String ours = SparkCnnPlugin.class.getName();
        if (SparkCnnPlugin.namedIn(plugins)) {
            return plugins;
        }
        return plugins.isBlank() ? ours : plugins + "," + ours;
    }
}
