/**
 * Pipeline definitions ({@link dev.sluice.pipeline.Pipeline}, built with
 * {@link dev.sluice.pipeline.PipelineBuilder}), their policies, and what a run reports
 * ({@link dev.sluice.pipeline.RunReport}).
 */
package dev.sluice.pipeline;
