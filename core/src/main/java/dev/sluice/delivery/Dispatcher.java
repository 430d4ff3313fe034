package dev.sluice.delivery;

import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the records one run routes to one destination: buffers them (bounded, so the router
 * blocks when the destination is slow), cuts batches by size and linger, retries failed batches
 * with exponential backoff and full jitter, and parks what can't be delivered as dead letters.
 *
 * <p>It also answers the engine's question "up to which sequence number is everything settled?"
 * ({@link #settledUpTo(long)}), which is what lets the engine commit a checkpoint only after every
 * earlier record was acknowledged or dead-lettered.
 *
 * <p>Not API: the engine creates one per run and destination. Thread-safety: {@link #offer} is
 * called by the router thread, {@link #runWorker()} by one worker thread, {@link #settledUpTo} by
 * any thread.
 */
public final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);

  private final String pipeline;
  private final String runId;
  private final String destinationName;
  private final Destination destination;
  private final DeliverySettings settings;
  private final DeadLetterStore deadLetters;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Runnable onSettled;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
  private final TreeSet<Long> inFlight = new TreeSet<>();
  private boolean closed;
  private volatile Throwable failure;

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  /**
   * @param onSettled called (from the worker thread) whenever records were settled
   */
  public Dispatcher(
      String pipeline,
      String runId,
      String destinationName,
      Destination destination,
      DeliverySettings settings,
      DeadLetterStore deadLetters,
      Clock clock,
      Sleeper sleeper,
      Runnable onSettled) {
    this.pipeline = Objects.requireNonNull(pipeline);
    this.runId = Objects.requireNonNull(runId);
    this.destinationName = Objects.requireNonNull(destinationName);
    this.destination = Objects.requireNonNull(destination);
    this.settings = Objects.requireNonNull(settings);
    this.deadLetters = Objects.requireNonNull(deadLetters);
    this.clock = Objects.requireNonNull(clock);
    this.sleeper = Objects.requireNonNull(sleeper);
    this.onSettled = Objects.requireNonNull(onSettled);
  }

  public String destinationName() {
    return destinationName;
  }

  /**
   * Queues a record; blocks while the buffer is full.
   *
   * @param seq the record's sequence number in the run, increasing
   * @param record what to deliver (after transformations)
   * @param original the record as read, or null when unchanged
   * @throws DispatcherFailedException when the worker died (e.g. the dead-letter store failed)
   */
  public void offer(long seq, Record record, Record original) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (buffer.size() >= settings.bufferCapacity() && failure == null) {
        notFull.await();
      }
      throwIfFailed();
      if (closed) {
        throw new IllegalStateException("dispatcher for " + destinationName + " is closed");
      }
      buffer.addLast(new Entry(seq, record, original, System.nanoTime()));
      if (buffer.size() == 1 || buffer.size() >= settings.batchSize()) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** No more records will be offered; the worker delivers what is buffered and returns. */
  public void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The highest sequence number up to which every record offered here is settled, given that the
   * router has routed everything up to {@code routedUpTo}. Read {@code routedUpTo} before calling.
   */
  public long settledUpTo(long routedUpTo) {
    lock.lock();
    try {
      long lowest = Long.MAX_VALUE;
      if (!buffer.isEmpty()) {
        lowest = buffer.peekFirst().seq;
      }
      if (!inFlight.isEmpty()) {
        lowest = Math.min(lowest, inFlight.first());
      }
      return lowest == Long.MAX_VALUE ? routedUpTo : Math.min(routedUpTo, lowest - 1);
    } finally {
      lock.unlock();
    }
  }

  /** The worker loop: run it on an executor thread; returns once closed and drained. */
  public void runWorker() {
    try {
      List<Entry> batch;
      while ((batch = nextBatch()) != null) {
        deliver(batch);
        lock.lock();
        try {
          inFlight.remove(batch.get(0).seq);
        } finally {
          lock.unlock();
        }
        onSettled.run();
      }
    } catch (InterruptedException e) {
      fail(e);
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      fail(e);
      throw e;
    }
  }

  /** Why the worker died, or null. */
  public Throwable failure() {
    return failure;
  }

  public long delivered() {
    return delivered.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }

  public long batches() {
    return batches.get();
  }

  public long retries() {
    return retries.get();
  }

  private List<Entry> nextBatch() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (buffer.isEmpty() && !closed) {
        notEmpty.await();
      }
      if (buffer.isEmpty()) {
        return null;
      }
      long deadline = buffer.peekFirst().arrivalNanos + settings.linger().toNanos();
      long remaining;
      while (buffer.size() < settings.batchSize()
          && !closed
          && (remaining = deadline - System.nanoTime()) > 0) {
        notEmpty.awaitNanos(remaining);
      }
      int n = Math.min(settings.batchSize(), buffer.size());
      List<Entry> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        batch.add(buffer.pollFirst());
      }
      // Tracked as in flight before the lock is released, so settledUpTo never skips it.
      inFlight.add(batch.get(0).seq);
      notFull.signalAll();
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void deliver(List<Entry> entries) throws InterruptedException {
    batches.incrementAndGet();
    Instant firstFailure = null;
    List<Entry> pending = entries;
    for (int attempt = 1; ; attempt++) {
      Batch batch =
          new Batch(pipeline, destinationName, runId, pending.stream().map(e -> e.record).toList(), attempt);
      Map<Integer, RecordFailure> failures;
      Duration retryAfter = null;
      try {
        DeliveryResult result = destination.deliver(batch);
        failures = result.failures();
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        boolean retryable = !(e instanceof DeliveryException) || ((DeliveryException) e).isRetryable();
        if (e instanceof DeliveryException) {
          retryAfter = ((DeliveryException) e).retryAfter().orElse(null);
        }
        RecordFailure f = new RecordFailure(describe(e), retryable, retryAfter);
        failures = new HashMap<>();
        for (int i = 0; i < pending.size(); i++) {
          failures.put(i, f);
        }
      }
      if (failures.isEmpty()) {
        delivered.addAndGet(pending.size());
        return;
      }
      Instant now = clock.instant();
      if (firstFailure == null) {
        firstFailure = now;
      }
      List<Entry> retry = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        RecordFailure f = failures.get(i);
        if (f == null) {
          delivered.incrementAndGet();
        } else if (!f.retryable()) {
          park(pending.get(i), "permanent failure: " + f.reason(), attempt, firstFailure, now);
        } else if (attempt >= settings.maxAttempts()) {
          park(pending.get(i), "gave up after " + attempt + " attempts: " + f.reason(), attempt,
              firstFailure, now);
        } else {
          retry.add(pending.get(i));
          if (f.retryAfter() != null && (retryAfter == null || f.retryAfter().compareTo(retryAfter) > 0)) {
            retryAfter = f.retryAfter();
          }
        }
      }
      if (retry.isEmpty()) {
        return;
      }
      Duration wait = backoff(attempt);
      if (retryAfter != null && retryAfter.compareTo(wait) > 0) {
        wait = retryAfter;
      }
      LOG.warn(
          "pipeline '{}': delivery of {} record(s) to destination '{}' failed (attempt {}/{}), retrying in {} ms: {}",
          pipeline, retry.size(), destinationName, attempt, settings.maxAttempts(), wait.toMillis(),
          failures.values().iterator().next().reason());
      retries.incrementAndGet();
      sleeper.sleep(wait);
      pending = retry;
    }
  }

  /** Exponential backoff with full jitter: uniform in [0, min(max, initial × 2^(attempt-1))]. */
  Duration backoff(int attempt) {
    long initial = settings.initialBackoff().toMillis();
    long cap = settings.maxBackoff().toMillis();
    long ceiling = attempt >= 63 ? cap : Math.min(cap, initial << Math.min(attempt - 1, 30));
    return Duration.ofMillis(ceiling <= 0 ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  private void park(Entry e, String reason, int attempts, Instant first, Instant last) {
    deadLetters.add(
        new DeadLetter(
            0, pipeline, destinationName, runId, e.record.key(), RecordCodec.toJson(e.record),
            e.original == null ? null : RecordCodec.toJson(e.original), reason, attempts, first,
            last));
    deadLettered.incrementAndGet();
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return e instanceof DeliveryException || message == null
        ? (message == null ? e.getClass().getName() : message)
        : e.getClass().getSimpleName() + ": " + message;
  }

  private void fail(Throwable t) {
    failure = t;
    lock.lock();
    try {
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void throwIfFailed() {
    if (failure != null) {
      throw new DispatcherFailedException(pipeline, destinationName, failure);
    }
  }

  private static final class Entry {
    final long seq;
    final Record record;
    final Record original;
    final long arrivalNanos;

    Entry(long seq, Record record, Record original, long arrivalNanos) {
      this.seq = seq;
      this.record = record;
      this.original = original;
      this.arrivalNanos = arrivalNanos;
    }
  }
}
