package dev.sluice.spi;

import dev.sluice.record.Checkpoint;

/**
 * A source of records: reads them in order and emits them, with checkpoints, to an {@link
 * Emitter}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #read} emits every record after {@code from} (all records when {@code from} is
 *       null), then returns. Records keep the source's order.
 *   <li>Every so often it emits a {@link Checkpoint} that, handed back as {@code from}, makes the
 *       next read continue right after the last record emitted before it. A read that starts from
 *       a checkpoint never emits a record emitted before that checkpoint again; a checkpoint that
 *       lies beyond the end of the data ("from the future") yields nothing.
 *   <li>{@link Emitter#emit} blocks while downstream is full: that is the backpressure that keeps
 *       memory bounded, so never buffer the whole source in memory. Stream it.
 *   <li>Stop soon after {@link ReadContext#isCancelled()} turns true or the thread is interrupted
 *       ({@code emit} then throws {@link InterruptedException}: let it propagate).
 *   <li>Input that can't be turned into a record goes to {@link Emitter#reject}, which keeps it as
 *       a dead letter; do not skip it silently.
 *   <li>Throwing fails the run; records emitted before still get delivered and their checkpoints
 *       committed.
 * </ul>
 *
 * <p>Thread-safety: one connector instance serves every run of its pipeline and {@code read} may be
 * called concurrently when runs overlap, so keep per-read state on the stack (open files and
 * cursors inside {@code read}). {@link #close()} releases shared resources (HTTP clients, pools)
 * when the host shuts down.
 */
public interface Connector extends AutoCloseable {

  /**
   * Reads records after {@code from} and emits them.
   *
   * @param context the run being served, never null
   * @param from the last committed checkpoint, or null to start from the beginning
   * @param emitter where records, checkpoints and rejected input go, never null
   * @throws Exception any failure; it fails the run and is reported with the pipeline name
   */
  void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception;

  /** Releases resources held across runs. Idempotent. The default does nothing. */
  @Override
  default void close() throws Exception {}
}
