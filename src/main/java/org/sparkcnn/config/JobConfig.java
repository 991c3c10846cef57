package org.sparkcnn.config;

/**
 * The whole, validated configuration of one sparkcnn run. Built only by {@link JobConfigLoader};
 * nothing else in sparkcnn reads raw settings.
 *
 * @param effective the effective settings (file + overrides + defaults) as JSON, for the run report
 */
public record JobConfig(DataConfig data, ModelConfig model, TrainingConfig training,
                        ValidationConfig validation, CheckpointConfig checkpoint,
                        EvaluationConfig evaluation, PredictConfig predict, SparkSettings spark, OutputConfig output,
                        BenchConfig bench, String effective) {
}
