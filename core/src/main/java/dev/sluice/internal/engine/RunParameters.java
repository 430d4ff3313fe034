package dev.sluice.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a run reads with: one set of parameters (a cron slot, an API call's parameters), or the
 * payloads of the webhook deliveries a run carries.
 *
 * <p>A webhook delivery to a pipeline whose source is the {@code webhook} connector starts a run
 * whose parameters are open: deliveries that arrive before its reader has taken everything join it
 * ({@link #offer}) instead of each starting a run of its own. Starting a run (a run record, a
 * reader, a dispatcher per destination, a committer) costs far more than routing one record, so
 * under load this is what lets a pipeline keep up with its senders. The reader takes payloads one
 * by one ({@link #next(long)}); when it finds none left and none joins while it lingers, or the run
 * has carried {@code maxCount}, the parameters are sealed and later deliveries start another run. Deliveries the reader never took
 * (the run was cancelled, or failed) are handed back by {@link #seal()}, for the run to keep as
 * dead letters: each was answered 202 and must not be lost.
 *
 * <p>Thread-safe: webhook handler threads offer, the run's reader takes, under this object's lock.
 */
public final class RunParameters {
  private final ArrayDeque<JsonNode> pending = new ArrayDeque<>();
  private final boolean deliveries;
  private final int maxCount;
  private final long maxPendingBytes;
  private int count;
  private long pendingBytes;
  private boolean sealed;
  private final ArrayDeque<Long> pendingSizes = new ArrayDeque<>();

  private RunParameters(boolean deliveries, int maxCount, long maxPendingBytes) {
    this.deliveries = deliveries;
    this.maxCount = maxCount;
    this.maxPendingBytes = maxPendingBytes;
  }

  /**
   * One set of parameters, sealed: nothing joins it.
   *
   * @param parameters never null; the run reads a copy
   * @return the run's parameters
   */
  public static RunParameters single(JsonNode parameters) {
    RunParameters p = new RunParameters(false, 1, Long.MAX_VALUE);
    p.pending.add(Objects.requireNonNull(parameters, "parameters"));
    p.pendingSizes.add(0L);
    p.count = 1;
    p.sealed = true;
    return p;
  }

  /**
   * The payload of a webhook delivery, open for further deliveries to join.
   *
   * @param payload the delivery's parsed body; the run owns it from now on
   * @param bytes the size of the delivery's body
   * @param maxCount how many deliveries the run may carry in all, at least 1
   * @param maxPendingBytes how many bytes of bodies may wait for the reader at once; a delivery
   *     that would exceed it starts another run (the first is always taken)
   * @return the run's parameters
   */
  public static RunParameters delivery(JsonNode payload, long bytes, int maxCount, long maxPendingBytes) {
    if (maxCount < 1 || maxPendingBytes < 1) {
      throw new IllegalArgumentException("maxCount and maxPendingBytes must be positive");
    }
    RunParameters p = new RunParameters(true, maxCount, maxPendingBytes);
    p.pending.add(Objects.requireNonNull(payload, "payload"));
    p.pendingSizes.add(bytes);
    p.pendingBytes = bytes;
    p.count = 1;
    return p;
  }

  /** Whether these are webhook deliveries (each answered 202 and owed a delivery or a dead letter). */
  public boolean deliveries() {
    return deliveries;
  }

  /**
   * Adds a delivery to the run, unless it is sealed or full.
   *
   * @param payload the delivery's parsed body; the run owns it when this returns true
   * @param bytes the size of the delivery's body
   * @return false when the delivery must start a run of its own
   */
  public synchronized boolean offer(JsonNode payload, long bytes) {
    if (sealed || !deliveries || count >= maxCount || pendingBytes + bytes > maxPendingBytes) {
      return false;
    }
    pending.add(Objects.requireNonNull(payload, "payload"));
    pendingSizes.add(bytes);
    pendingBytes += bytes;
    count++;
    notifyAll(); // a lingering reader
    return true;
  }

  /**
   * The next payload for the reader; when none is left, seals the parameters and returns null.
   *
   * @return the payload (the caller owns it), or null when the run has read everything it carries
   */
  public synchronized JsonNode next() {
    try {
      return next(0);
    } catch (InterruptedException e) {
      throw new AssertionError("next(0) does not wait", e);
    }
  }

  /**
   * The next payload for the reader, waiting up to {@code lingerNanos} for a delivery to join when
   * none is left; then seals the parameters and returns null. Lingering keeps a run open while
   * deliveries keep coming, so a stream of them takes few runs instead of one per burst; it costs
   * the run that much time at its end, and no CPU.
   *
   * @param lingerNanos how long to wait for another delivery; 0 not to wait
   * @return the payload (the caller owns it), or null when the run has read everything it carries
   * @throws InterruptedException when interrupted while waiting
   */
  public synchronized JsonNode next(long lingerNanos) throws InterruptedException {
    if (pending.isEmpty() && deliveries && !sealed && count < maxCount && lingerNanos > 0) {
      long until = System.nanoTime() + lingerNanos;
      for (long left = lingerNanos; pending.isEmpty() && !sealed && left > 0; left = until - System.nanoTime()) {
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
    JsonNode p = pending.poll();
    if (p == null) {
      sealed = true;
      return null;
    }
    pendingBytes -= pendingSizes.poll();
    if (pending.isEmpty() && count >= maxCount) {
      sealed = true;
    }
    return p;
  }

  /**
   * Seals the parameters: nothing joins any more.
   *
   * @return the payloads the reader did not take, in arrival order
   */
  public synchronized List<JsonNode> seal() {
    sealed = true;
    notifyAll(); // a lingering reader stops waiting
    List<JsonNode> left = new ArrayList<>(pending);
    pending.clear();
    pendingSizes.clear();
    pendingBytes = 0;
    return left;
  }

  /** How many sets of parameters (deliveries) the run carries so far. */
  public synchronized int count() {
    return count;
  }
}
