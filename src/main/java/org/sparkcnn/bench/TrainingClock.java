package org.sparkcnn.bench;

import org.sparkcnn.train.Validator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * One bench case's clock, which stops while the model is validated: a validation is measurement, not
 * training, so neither its wall time nor its CPU time counts towards the case's training time, images/s or
 * CPU per image. Records each validation's accuracy at the training time it was taken.
 */
public final class TrainingClock {
    private final LongSupplier nanoTime;
    private final DoubleSupplier cpuSeconds;
    private final long startNanos;
    private final double startCpu;
    private final List<ValidationPoint> validations = new ArrayList<>();
    private long validationNanos;
    private double validationCpu;

    /** Started now, on the system's clocks. */
    public static TrainingClock start() {
        return new TrainingClock(System::nanoTime, ProcessCpu::seconds);
    }

    /** Started now, on the given clocks (tests drive them). */
    TrainingClock(LongSupplier nanoTime, DoubleSupplier cpuSeconds) {
        this.nanoTime = nanoTime;
        this.cpuSeconds = cpuSeconds;
        this.startNanos = nanoTime.getAsLong();
        this.startCpu = cpuSeconds.getAsDouble();
    }

    /** {@code validator}, with the clock stopped while it runs and its accuracy recorded. */
    public Validator timing(Validator validator) {
        return network -> {
            long start = nanoTime.getAsLong();
            double cpu = cpuSeconds.getAsDouble();
            double trainedSeconds = (start - startNanos - validationNanos) / 1e9;
            Validator.Score score = validator.validate(network);
            validationNanos += nanoTime.getAsLong() - start;
            validationCpu += cpuSeconds.getAsDouble() - cpu;
            validations.add(new ValidationPoint(trainedSeconds, score.accuracy()));
            return score;
        };
    }

    /** Wall time since the start, the validations excluded. */
    public double trainingSeconds() {
        return (nanoTime.getAsLong() - startNanos - validationNanos) / 1e9;
    }

    /** CPU time of this process since the start, the validations' excluded. */
    public double trainingCpuSeconds() {
        return cpuSeconds.getAsDouble() - startCpu - validationCpu;
    }

    /** Wall time spent validating. */
    public double validationSeconds() {
        return validationNanos / 1e9;
    }

    /** The validations so far, in the order they were taken. */
    public List<ValidationPoint> validations() {
        return List.copyOf(validations);
    }
}
