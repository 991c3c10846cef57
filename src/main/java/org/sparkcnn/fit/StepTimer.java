package org.sparkcnn.fit;

/**
 * Told when each {@link StepPhase} of a training step ends: the seam through which the step-breakdown
 * tool (test code, {@code fit/StepBreakdown}) times the production step itself rather than a copy of it.
 * Training uses {@link #NONE}, whose empty method the JIT inlines away (the only implementation loaded
 * outside that tool).
 */
@FunctionalInterface
interface StepTimer {
    StepTimer NONE = phase -> {
    };

    void ended(StepPhase phase);
}
