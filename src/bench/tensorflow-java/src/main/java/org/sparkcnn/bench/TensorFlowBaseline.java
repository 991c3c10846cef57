package org.sparkcnn.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The side-by-side baseline of issue #18: sparkcnn's CNN (the TensorFlow layers tutorial's, see
 * sparkcnn's CnnArchitecture) trained on MNIST in one process with TensorFlow Java, in graph mode.
 *
 * <p>Same model and training as sparkcnn's default job (conf/sparkcnn.conf): conv 5x5x32 SAME ReLU, max-pool
 * 2x2/2, conv 5x5x64 SAME ReLU, max-pool 2x2/2, dense 1024 ReLU, dropout 0.4 (training only), dense 10,
 * softmax cross-entropy averaged over the batch; Glorot-uniform weights, zero biases; pixels / 255; Adam
 * (beta1 0.9, beta2 0.999, eps 1e-8) at 0.002 halved after each epoch; batch 128 (the last batch of an
 * epoch is the remainder, as in sparkcnn); the training images reshuffled each epoch from a seed.
 *
 * <p>Training time counts the steps and the building of their batches, not the test evaluations.
 */
public final class TensorFlowBaseline {
    private static final int ROWS = 28;
    private static final int COLS = 28;
    private static final int PIXELS = ROWS * COLS;
    private static final int CLASSES = 10;
    private static final int EVAL_BATCH = 1000;
    private static final double[] TARGETS = {0.990, 0.993};

    private TensorFlowBaseline() {
    }

    /** Command-line settings. */
    static final class Settings {
        Path dataDir;
        int epochs = 1;
        int batch = 128;
        float learningRate = 0.002f;
        float learningRateDecay = 0.5f;
        float dropoutRate = 0.4f;
        int intraThreads = 2;
        int interThreads = 1;
        long seed = 12345;
        int validateEvery = 0;
        int trainLimit = 0;
        int logEvery = 0;

        static Settings parse(String[] args) {
            Settings s = new Settings();
            String env = System.getenv("SPARKCNN_MNIST_DIR");
            if (env != null && !env.isBlank()) {
                s.dataDir = Path.of(env);
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    usage(null);
                }
                if (i + 1 >= args.length) {
                    usage("missing value after " + a);
                }
                String v = args[++i];
                try {
                    switch (a) {
                        case "--data" -> s.dataDir = Path.of(v);
                        case "--epochs" -> s.epochs = Integer.parseInt(v);
                        case "--batch" -> s.batch = Integer.parseInt(v);
                        case "--lr" -> s.learningRate = Float.parseFloat(v);
                        case "--lr-decay" -> s.learningRateDecay = Float.parseFloat(v);
                        case "--dropout" -> s.dropoutRate = Float.parseFloat(v);
                        case "--threads" -> s.intraThreads = Integer.parseInt(v);
                        case "--inter-threads" -> s.interThreads = Integer.parseInt(v);
                        case "--seed" -> s.seed = Long.parseLong(v);
                        case "--validate-every" -> s.validateEvery = Integer.parseInt(v);
                        case "--train-limit" -> s.trainLimit = Integer.parseInt(v);
                        case "--log-every" -> s.logEvery = Integer.parseInt(v);
                        default -> usage("unknown option " + a);
                    }
                } catch (NumberFormatException e) {
                    usage("bad number for " + a + ": " + v);
                }
            }
            if (s.dataDir == null) {
                usage("no MNIST directory: set SPARKCNN_MNIST_DIR or pass --data DIR");
            }
            if (s.epochs < 1 || s.batch < 1 || s.intraThreads < 0 || s.interThreads < 0 || s.validateEvery < 0
                    || s.trainLimit < 0 || s.logEvery < 0 || s.dropoutRate < 0 || s.dropoutRate >= 1) {
                usage("out-of-range setting");
            }
            return s;
        }

        static void usage(String error) {
            if (error != null) {
                System.err.println("error: " + error);
            }
            System.err.println("""
                    usage: java -jar target/tensorflow-java-baseline.jar [options]
                      --data DIR            the four gzipped MNIST IDX files (default: $SPARKCNN_MNIST_DIR)
                      --epochs N            epochs (default 1)
                      --batch N             batch size (default 128)
                      --lr X                Adam's learning rate in the first epoch (default 0.002)
                      --lr-decay X          learning-rate factor after each epoch (default 0.5)
                      --dropout X           dropout rate after the dense layer (default 0.4)
                      --threads N           TensorFlow intra-op threads (default 2; 0 = TensorFlow's choice)
                      --inter-threads N     TensorFlow inter-op threads (default 1)
                      --seed N              weights, dropout and shuffling (default 12345)
                      --validate-every N    test accuracy every N steps too, and when it first reaches
                                            99.0% and 99.3% (default 0 = only after each epoch)
                      --train-limit N       train on the first N images only (default 0 = all)
                      --log-every N         print the mean training loss of every N steps (default 0 = off)""");
            System.exit(error == null ? 0 : 2);
        }
    }

    /** Images as unsigned bytes, row-major, and their labels. */
    record Images(byte[] pixels, byte[] labels, int count) {
    }

    public static void main(String[] args) throws IOException {
        Settings s = Settings.parse(args);
        Images train = load(s.dataDir, "train", s.trainLimit);
        Images test = load(s.dataDir, "t10k", 0);
        System.out.printf(Locale.ROOT, "TensorFlow %s (TensorFlow Java 1.1.0), Java %s, %d cores; train %d, test %d "
                        + "images from %s%n", TensorFlow.version(), Runtime.version(),
                Runtime.getRuntime().availableProcessors(), train.count(), test.count(), s.dataDir);
        System.out.printf(Locale.ROOT, "batch %d, Adam lr %s x %s per epoch, dropout %s, intra-op threads %d, "
                        + "inter-op threads %d, seed %d%n", s.batch, s.learningRate, s.learningRateDecay,
                s.dropoutRate, s.intraThreads, s.interThreads, s.seed);

        ConfigProto config = ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(s.intraThreads)
                .setInterOpParallelismThreads(s.interThreads)
                .build();
        try (Graph graph = new Graph()) {
            Model model = new Model(graph, s);
            try (Session session = new Session(graph, config)) {
                session.initialize();
                run(s, model, session, train, test);
            }
        }
    }

    /** The graph: the network (training and inference outputs share its variables) and the Adam step. */
    static final class Model {
        final Placeholder<TFloat32> images;
        final Placeholder<TInt32> labels;
        final Placeholder<TFloat32> learningRate;
        final Operand<TFloat32> loss;
        final Operand<TInt64> predictions;
        final Op trainStep;

        Model(Graph graph, Settings s) {
            Ops tf = Ops.create(graph);
            Random init = new Random(s.seed);
            images = tf.withName("images").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.of(-1, ROWS, COLS, 1)));
            labels = tf.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
            learningRate = tf.withName("learning_rate").placeholder(TFloat32.class,
                    Placeholder.shape(Shape.scalar()));

            int flat = (ROWS / 4) * (COLS / 4) * 64;
            // Glorot-uniform limits from fan-in and fan-out, a conv kernel's counting its 5x5 window in both
            Variable<TFloat32> w1 = glorot(tf, init, "conv1_kernel", 5, 5, 1, 32);
            Variable<TFloat32> b1 = zeros(tf, "conv1_bias", 32);
            Variable<TFloat32> w2 = glorot(tf, init, "conv2_kernel", 5, 5, 32, 64);
            Variable<TFloat32> b2 = zeros(tf, "conv2_bias", 64);
            Variable<TFloat32> w3 = glorot(tf, init, "dense_kernel", flat, 1024);
            Variable<TFloat32> b3 = zeros(tf, "dense_bias", 1024);
            Variable<TFloat32> w4 = glorot(tf, init, "logits_kernel", 1024, CLASSES);
            Variable<TFloat32> b4 = zeros(tf, "logits_bias", CLASSES);
            List<Variable<TFloat32>> params = List.of(w1, b1, w2, b2, w3, b3, w4, b4);

            // the layers up to the dense layer's ReLU, shared by training and inference
            Operand<TFloat32> conv1 = tf.nn.relu(tf.nn.biasAdd(
                    tf.nn.conv2d(images, w1, List.of(1L, 1L, 1L, 1L), "SAME"), b1));
            Operand<TFloat32> pool1 = maxPool(tf, conv1);
            Operand<TFloat32> conv2 = tf.nn.relu(tf.nn.biasAdd(
                    tf.nn.conv2d(pool1, w2, List.of(1L, 1L, 1L, 1L), "SAME"), b2));
            Operand<TFloat32> pool2 = maxPool(tf, conv2);
            Operand<TFloat32> dense = tf.nn.relu(tf.math.add(
                    tf.linalg.matMul(tf.reshape(pool2, tf.constant(new long[] {-1, flat})), w3), b3));

            // inverted dropout, as tf.nn.dropout: keep with probability 1 - rate, scale the kept by 1/(1 - rate)
            float keep = 1f - s.dropoutRate;
            Operand<TFloat32> noise = tf.random.randomUniform(tf.shape(dense), TFloat32.class,
                    RandomUniform.seed(s.seed), RandomUniform.seed2(s.seed + 1));
            Operand<TFloat32> mask = tf.math.floor(tf.math.add(noise, tf.constant(keep)));
            Operand<TFloat32> dropped = tf.math.mul(dense, tf.math.mul(mask, tf.constant(1f / keep)));

            Operand<TFloat32> trainLogits = tf.math.add(tf.linalg.matMul(dropped, w4), b4);
            Operand<TFloat32> testLogits = tf.math.add(tf.linalg.matMul(dense, w4), b4);
            // one-hot targets: TensorFlow's C++ gradients cover SoftmaxCrossEntropyWithLogits, not the sparse op
            Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(CLASSES), tf.constant(1f), tf.constant(0f));
            loss = tf.withName("loss").math.mean(
                    tf.nn.softmaxCrossEntropyWithLogits(trainLogits, oneHot).loss(), tf.constant(0));
            predictions = tf.withName("predictions").math.argMax(testLogits, tf.constant(1));
            trainStep = adam(tf, s, params);
        }

        /**
         * Adam as TensorFlow's (and DL4J's): ApplyAdam's bias-corrected step size
         * lr * sqrt(1 - beta2^t) / (1 - beta1^t), epsilon added to sqrt(v); the learning rate is fed each step
         * so that it can decay per epoch (the framework's Adam takes a constant).
         */
        private Op adam(Ops tf, Settings s, List<Variable<TFloat32>> params) {
            float beta1 = 0.9f;
            float beta2 = 0.999f;
            float epsilon = 1e-8f;
            Variable<TFloat32> beta1Power = tf.withName("adam_beta1_power").variable(tf.constant(beta1));
            Variable<TFloat32> beta2Power = tf.withName("adam_beta2_power").variable(tf.constant(beta2));
            var gradients = tf.gradients(loss, params);
            List<Op> updates = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                Variable<TFloat32> p = params.get(i);
                Variable<TFloat32> m = tf.variable(tf.zerosLike(p));
                Variable<TFloat32> v = tf.variable(tf.zerosLike(p));
                Operand<TFloat32> g = gradients.dy(i);
                updates.add(tf.train.applyAdam(p, m, v, beta1Power, beta2Power, learningRate, tf.constant(beta1),
                        tf.constant(beta2), tf.constant(epsilon), g));
            }
            Ops after = tf.withControlDependencies(updates);
            Op b1 = after.assign(beta1Power, after.math.mul(beta1Power, after.constant(beta1)));
            Op b2 = after.assign(beta2Power, after.math.mul(beta2Power, after.constant(beta2)));
            return tf.withName("train_step").withControlDependencies(List.of(b1, b2)).noOp();
        }

        private static Operand<TFloat32> maxPool(Ops tf, Operand<TFloat32> x) {
            return tf.nn.maxPool(x, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}),
                    "VALID");
        }

        private static Variable<TFloat32> glorot(Ops tf, Random random, String name, long... shape) {
            long fanIn;
            long fanOut;
            if (shape.length == 4) {
                long window = shape[0] * shape[1];
                fanIn = window * shape[2];
                fanOut = window * shape[3];
            } else {
                fanIn = shape[0];
                fanOut = shape[1];
            }
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            float[] values = new float[Math.toIntExact(Shape.of(shape).size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
            return tf.withName(name).variable(tf.constant(Shape.of(shape), DataBuffers.of(values, true, false)));
        }

        private static Variable<TFloat32> zeros(Ops tf, String name, int size) {
            return tf.withName(name).variable(tf.constant(Shape.of(size), DataBuffers.of(new float[size], true,
                    false)));
        }
    }

    private static void run(Settings s, Model model, Session session, Images train, Images test) {
        int[] order = new int[train.count()];
        Arrays.setAll(order, i -> i);
        Random shuffle = new Random(s.seed);
        int stepsPerEpoch = (train.count() + s.batch - 1) / s.batch;
        double[] reachedAt = new double[TARGETS.length];
        Arrays.fill(reachedAt, Double.NaN);
        List<Double> epochRates = new ArrayList<>();
        List<Double> epochAccuracies = new ArrayList<>();
        double totalTrainSeconds = 0;
        long step = 0;
        double recentLoss = 0;
        float[] features = new float[s.batch * PIXELS];
        int[] labels = new int[s.batch];
        System.out.printf(Locale.ROOT, "%d steps per epoch%n", stepsPerEpoch);
        for (int epoch = 1; epoch <= s.epochs; epoch++) {
            float lr = (float) (s.learningRate * Math.pow(s.learningRateDecay, epoch - 1));
            shuffle(order, shuffle);
            double epochSeconds = 0;
            double lossSum = 0;
            long start = System.nanoTime();
            for (int from = 0; from < train.count(); from += s.batch) {
                int n = Math.min(s.batch, train.count() - from);
                fill(train, order, from, n, features, labels);
                try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, ROWS, COLS, 1),
                        DataBuffers.of(features, true, false).narrow(n * (long) PIXELS));
                     TInt32 y = TInt32.tensorOf(Shape.of(n), DataBuffers.of(labels, true, false).narrow(n));
                     TFloat32 rate = TFloat32.scalarOf(lr);
                     Result r = session.runner().feed(model.images, x).feed(model.labels, y)
                             .feed(model.learningRate, rate).addTarget(model.trainStep).fetch(model.loss).run()) {
                    float stepLoss = ((TFloat32) r.get(0)).getFloat();
                    lossSum += stepLoss;
                    recentLoss += stepLoss;
                }
                step++;
                if (s.logEvery > 0 && step % s.logEvery == 0) {
                    System.out.printf(Locale.ROOT, "  step %d: mean loss of the last %d steps %.4f%n", step,
                            s.logEvery, recentLoss / s.logEvery);
                    recentLoss = 0;
                }
                if (s.validateEvery > 0 && step % s.validateEvery == 0 && from + n < train.count()) {
                    long now = System.nanoTime();
                    epochSeconds += (now - start) / 1e9;
                    double accuracy = accuracy(model, session, test);
                    double trainedFor = totalTrainSeconds + epochSeconds;
                    System.out.printf(Locale.ROOT, "  step %d (epoch %d): test accuracy %.2f%%, training time %.1f s%n",
                            step, epoch, 100 * accuracy, trainedFor);
                    record(accuracy, trainedFor, step, reachedAt);
                    start = System.nanoTime();
                }
            }
            epochSeconds += (System.nanoTime() - start) / 1e9;
            totalTrainSeconds += epochSeconds;
            double rate = train.count() / epochSeconds;
            double accuracy = accuracy(model, session, test);
            record(accuracy, totalTrainSeconds, step, reachedAt);
            epochRates.add(rate);
            epochAccuracies.add(accuracy);
            System.out.printf(Locale.ROOT, "epoch %d: lr %s, mean loss %.4f, training %.1f s, %.0f images/s; test "
                            + "accuracy %.2f%% (%d steps, %.1f s of training so far)%n", epoch, lr,
                    lossSum / stepsPerEpoch, epochSeconds, rate, 100 * accuracy, step, totalTrainSeconds);
        }
        System.out.println("summary columns: engine,tf_version,threads,batch,epochs,train_s,images_per_s,"
                + "test_accuracy_pct,per_epoch_images_per_s,per_epoch_accuracy_pct,t_99.0_s,t_99.3_s");
        System.out.printf(Locale.ROOT, "summary: tensorflow-java-1.1.0,%s,%d,%d,%d,%.1f,%.0f,%.2f,%s,%s,%s,%s%n",
                TensorFlow.version(), s.intraThreads, s.batch, s.epochs, totalTrainSeconds,
                (double) train.count() * s.epochs / totalTrainSeconds, 100 * epochAccuracies.get(s.epochs - 1),
                join(epochRates, "%.0f", 1), join(epochAccuracies, "%.2f", 100), seconds(reachedAt[0]),
                seconds(reachedAt[1]));
    }

    private static void record(double accuracy, double trainedFor, long step, double[] reachedAt) {
        for (int t = 0; t < TARGETS.length; t++) {
            if (Double.isNaN(reachedAt[t]) && accuracy >= TARGETS[t] - 1e-9) {
                reachedAt[t] = trainedFor;
                System.out.printf(Locale.ROOT, "  reached %.1f%% at step %d after %.1f s of training%n",
                        100 * TARGETS[t], step, trainedFor);
            }
        }
    }

    private static String join(List<Double> values, String format, double factor) {
        StringBuilder b = new StringBuilder();
        for (double v : values) {
            b.append(b.length() == 0 ? "" : ";").append(String.format(Locale.ROOT, format, v * factor));
        }
        return b.toString();
    }

    private static String seconds(double s) {
        return Double.isNaN(s) ? "" : String.format(Locale.ROOT, "%.1f", s);
    }

    /** Fraction of {@code test} classified correctly (inference graph: no dropout). */
    private static double accuracy(Model model, Session session, Images test) {
        int[] order = new int[test.count()];
        Arrays.setAll(order, i -> i);
        float[] features = new float[EVAL_BATCH * PIXELS];
        int[] labels = new int[EVAL_BATCH];
        long correct = 0;
        for (int from = 0; from < test.count(); from += EVAL_BATCH) {
            int n = Math.min(EVAL_BATCH, test.count() - from);
            fill(test, order, from, n, features, labels);
            try (TFloat32 x = TFloat32.tensorOf(Shape.of(n, ROWS, COLS, 1),
                    DataBuffers.of(features, true, false).narrow(n * (long) PIXELS));
                 Result r = session.runner().feed(model.images, x).fetch(model.predictions).run()) {
                TInt64 predicted = (TInt64) r.get(0);
                for (int i = 0; i < n; i++) {
                    if (predicted.getLong(i) == labels[i]) {
                        correct++;
                    }
                }
            }
        }
        return (double) correct / test.count();
    }

    /** Examples order[from .. from+n) as pixels / 255 (as sparkcnn's MinibatchFactory) and int labels. */
    private static void fill(Images data, int[] order, int from, int n, float[] features, int[] labels) {
        byte[] pixels = data.pixels();
        for (int i = 0; i < n; i++) {
            int example = order[from + i];
            int src = example * PIXELS;
            int dst = i * PIXELS;
            for (int p = 0; p < PIXELS; p++) {
                features[dst + p] = (pixels[src + p] & 0xff) / 255f;
            }
            labels[i] = data.labels()[example];
        }
    }

    /** Fisher-Yates, as sparkcnn's MinibatchFactory.shuffle. */
    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** {@code prefix}-images-idx3-ubyte.gz and {@code prefix}-labels-idx1-ubyte.gz; limit 0 = all. */
    static Images load(Path dir, String prefix, int limit) throws IOException {
        Path imageFile = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labelFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        byte[] pixels;
        int count;
        try (DataInputStream in = open(imageFile)) {
            expect(in.readInt(), 2051, imageFile);
            count = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            if (rows != ROWS || cols != COLS) {
                throw new IOException(imageFile + ": " + rows + "x" + cols + " images, expected 28x28");
            }
            if (limit > 0) {
                count = Math.min(count, limit);
            }
            pixels = new byte[count * PIXELS];
            in.readFully(pixels);
        }
        byte[] labels;
        try (DataInputStream in = open(labelFile)) {
            expect(in.readInt(), 2049, labelFile);
            int n = in.readInt();
            if (n < count) {
                throw new IOException(labelFile + ": " + n + " labels for " + count + " images");
            }
            labels = new byte[count];
            in.readFully(labels);
        }
        for (byte label : labels) {
            if (label < 0 || label >= CLASSES) {
                throw new IOException(labelFile + ": label " + label + " not in 0..9");
            }
        }
        return new Images(pixels, labels, count);
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return new DataInputStream(new GZIPInputStream(in, 1 << 16));
    }

    private static void expect(int magic, int expected, Path file) throws IOException {
        if (magic != expected) {
            throw new IOException(file + ": magic number " + magic + ", expected " + expected + " (not a gzipped "
                    + "IDX file?)");
        }
    }
}
