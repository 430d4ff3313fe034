package dev.sluice.spi;

import dev.sluice.record.Batch;

/**
 * A sink: receives batches of records and acknowledges or fails them.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #deliver} returns normally only once the records it reports as delivered are safe
 *       (committed, flushed, accepted by the remote side). Returning is the acknowledgement the
 *       engine waits for before it commits a checkpoint.
 *   <li>A failure of the whole batch is thrown: a {@link DeliveryException} says whether it is
 *       worth retrying and may carry a server's {@code Retry-After}; a checked exception (an
 *       {@code IOException}, an {@code SQLException}) or an {@link java.io.UncheckedIOException} is
 *       treated as a retryable outage. Any other {@code RuntimeException} (a {@code
 *       NullPointerException} on a record the destination did not expect) is treated as a bug in
 *       the destination: tried once more, logged with its stack trace, then the records become
 *       dead letters naming the exception. Where the protocol tells which records failed, return
 *       {@link DeliveryResult#partial} instead; a record whose content can't be delivered fails
 *       permanently.
 *   <li>The same batch may arrive again (a retry after a timeout, a dead-letter replay, a re-read
 *       after a crash). Use {@link dev.sluice.record.Batch#idempotencyKey(int)} so that a repeat
 *       does not duplicate: an upsert key, an {@code Idempotency-Key} header, a deterministic
 *       object name.
 *   <li>An empty batch is delivered successfully and does nothing.
 * </ul>
 *
 * <p>Thread-safety: one instance serves every pipeline that routes to it, and {@code deliver} is
 * called concurrently (different runs, and several batches of one run when the destination's
 * concurrency is above one). Implementations must be thread-safe.
 */
public interface Destination extends AutoCloseable {

  /**
   * Delivers a batch.
   *
   * @param batch the records, never null, possibly empty
   * @return {@link DeliveryResult#success()} or the per-record failures
   * @throws Exception when the whole batch failed
   */
  DeliveryResult deliver(Batch batch) throws Exception;

  /**
   * Called once after the last batch of a run that delivered to this destination, so that
   * destinations holding per-run state (an open file) can finish it. The default does nothing.
   *
   * @param run the run that ended
   * @param succeeded false when the run failed or was cancelled
   * @throws Exception when finishing failed; the engine logs it and the run reports it as an error
   */
  default void finishRun(RunInfo run, boolean succeeded) throws Exception {}

  /**
   * Whether this destination writes each record's {@link dev.sluice.record.Record#data() data} as
   * compact JSON through {@link dev.sluice.record.Record#writeJsonTo}. When true, the engine encodes
   * every record routed here on its routing thread, ahead of delivery: the encoding then overlaps
   * with this destination's I/O instead of adding to it, and a record fanned out to several such
   * destinations is encoded once. The default is false (the engine does nothing ahead). Must not
   * change over the destination's life.
   *
   * @return whether the engine should encode records ahead for this destination
   */
  default boolean writesRecordsAsJson() {
    return false;
  }

  /** Releases resources. Idempotent. The default does nothing. */
  @Override
  default void close() throws Exception {}
}
