package org.sparkcnn.config;

/**
 * When and how many checkpoints a training run keeps.
 *
 * @param everyRounds checkpoint every N averaging rounds (and at each epoch end); 0 = at epoch ends only
 * @param keep        newest checkpoints kept
 */
public record CheckpointConfig(int everyRounds, int keep) {
}
