package dev.sluice.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers the records one run routes to one destination: buffers them (bounded, so the router
 * blocks when the destination is slow), cuts batches by count, bytes and linger, hands each batch
 * to the destination's {@link GuardedDestination} (retries, breaker, rate limit) on one of {@code
 * concurrency} workers, and parks what can't be delivered as dead letters.
 *
 * <p>It also answers the engine's question "up to which sequence number is everything settled?"
 * ({@link #settledUpTo(long)}), which is what lets the engine commit a checkpoint only after every
 * earlier record was acknowledged or dead-lettered. With several batches in flight they may
 * complete in any order; the answer stays below the first record of the oldest unsettled batch.
 *
 * <p>{@link #abort()} (shutdown deadline passed) stops delivery: workers stop taking batches, a
 * delivery or retry wait in progress is interrupted, and the records not delivered by then are
 * counted as {@link #undelivered()}: they are neither acknowledged nor dead letters, so no
 * checkpoint passes them and the next run reads them again.
 *
 * <p>Not API: the engine creates one per run and destination. Thread-safety: {@link #offer} is
 * called by the router thread, {@link #runWorker()} by {@code concurrency} worker threads, the
 * other methods by any thread.
 */
public final class Dispatcher {
  private final String pipeline;
  private final String runId;
  private final GuardedDestination destination;
  private final DeliverySettings settings;
  private final DeadLetterStore deadLetters;
  private final ObjectMapper mapper;
  private final Runnable onSettled;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
  private long bufferedBytes;
  /** First sequence number of each batch in flight, with a count: two batches can share one. */
  private final TreeMap<Long, Integer> inFlight = new TreeMap<>();
  private final Set<Thread> delivering = new HashSet<>();
  private boolean closed;
  private volatile boolean aborted;
  private volatile Throwable failure;

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong undelivered = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  /**
   * @param mapper measures records when batches are limited by bytes
   * @param onSettled called (from a worker thread) whenever records were settled
   */
  public Dispatcher(
      String pipeline,
      String runId,
      GuardedDestination destination,
      DeadLetterStore deadLetters,
      ObjectMapper mapper,
      Runnable onSettled) {
    this.pipeline = Objects.requireNonNull(pipeline);
    this.runId = Objects.requireNonNull(runId);
    this.destination = Objects.requireNonNull(destination);
    this.settings = destination.settings();
    this.deadLetters = Objects.requireNonNull(deadLetters);
    this.mapper = Objects.requireNonNull(mapper);
    this.onSettled = Objects.requireNonNull(onSettled);
  }

  public String destinationName() {
    return destination.name();
  }

  /** How many {@link #runWorker()} loops to start. */
  public int concurrency() {
    return settings.concurrency();
  }

  /**
   * Queues a record; blocks while the buffer is full.
   *
   * @param seq the record's sequence number in the run, not decreasing
   * @param record what to deliver (after transformations)
   * @param original the record as read, or null when unchanged
   * @throws DispatcherFailedException when a worker died (e.g. the dead-letter store failed)
   * @throws DeliveryAbortedException when delivery was aborted
   */
  public void offer(long seq, Record record, Record original) throws InterruptedException {
    long bytes = settings.maxBatchBytes() > 0 ? jsonSize(record) : 0;
    lock.lockInterruptibly();
    try {
      while (buffer.size() >= settings.bufferCapacity() && failure == null && !aborted) {
        notFull.await();
      }
      throwIfFailed();
      if (aborted) {
        undelivered.incrementAndGet(); // routed, so counted in the run, but never buffered
        throw new DeliveryAbortedException(pipeline, destination.name());
      }
      if (closed) {
        throw new IllegalStateException("dispatcher for " + destination.name() + " is closed");
      }
      buffer.addLast(new Entry(seq, record, original, bytes, System.nanoTime()));
      bufferedBytes += bytes;
      if (buffer.size() == 1 || batchReady()) {
        notEmpty.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** No more records will be offered; the workers deliver what is buffered and return. */
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
   * Stops delivering: buffered records stay undelivered, deliveries and retry waits in progress are
   * interrupted, and their records not delivered by then count as undelivered. Idempotent.
   */
  public void abort() {
    lock.lock();
    try {
      if (aborted) {
        return;
      }
      aborted = true;
      undelivered.addAndGet(buffer.size());
      // Only threads inside the destination call are interrupted, never one writing to the store.
      delivering.forEach(Thread::interrupt);
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public boolean isAborted() {
    return aborted;
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
        lowest = Math.min(lowest, inFlight.firstKey());
      }
      return lowest == Long.MAX_VALUE ? routedUpTo : Math.min(routedUpTo, lowest - 1);
    } finally {
      lock.unlock();
    }
  }

  /**
   * One worker loop: run {@link #concurrency()} of them on executor threads; each returns once the
   * dispatcher is closed and drained, or aborted.
   */
  public void runWorker() {
    try {
      List<Entry> batch;
      while ((batch = nextBatch()) != null) {
        deliver(batch);
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

  /** Why a worker died, or null. */
  public Throwable failure() {
    return failure;
  }

  public long delivered() {
    return delivered.get();
  }

  public long deadLettered() {
    return deadLettered.get();
  }

  /** Records left undelivered by {@link #abort()}. */
  public long undelivered() {
    return undelivered.get();
  }

  public long batches() {
    return batches.get();
  }

  public long retries() {
    return retries.get();
  }

  private boolean batchReady() {
    return buffer.size() >= settings.batchSize()
        || (settings.maxBatchBytes() > 0 && bufferedBytes >= settings.maxBatchBytes());
  }

  private List<Entry> nextBatch() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        if (aborted || failure != null) {
          return null;
        }
        if (buffer.isEmpty()) {
          if (closed) {
            return null;
          }
          notEmpty.await();
          continue;
        }
        if (!batchReady() && !closed) {
          long remaining = buffer.peekFirst().arrivalNanos + settings.linger().toNanos() - System.nanoTime();
          if (remaining > 0) {
            notEmpty.awaitNanos(remaining);
            continue;
          }
        }
        List<Entry> batch = new ArrayList<>(Math.min(settings.batchSize(), buffer.size()));
        long bytes = 0;
        while (!buffer.isEmpty() && batch.size() < settings.batchSize()) {
          Entry next = buffer.peekFirst();
          if (settings.maxBatchBytes() > 0 && !batch.isEmpty() && bytes + next.bytes > settings.maxBatchBytes()) {
            break;
          }
          batch.add(buffer.pollFirst());
          bytes += next.bytes;
        }
        bufferedBytes -= bytes;
        // Tracked as in flight before the lock is released, so settledUpTo never skips it.
        inFlight.merge(batch.get(0).seq, 1, Integer::sum);
        notFull.signalAll();
        if (!buffer.isEmpty()) {
          notEmpty.signal(); // another idle worker may take the rest
        }
        return batch;
      }
    } finally {
      lock.unlock();
    }
  }

  private void deliver(List<Entry> entries) throws InterruptedException {
    batches.incrementAndGet();
    Thread self = Thread.currentThread();
    lock.lock();
    try {
      if (aborted) {
        undelivered.addAndGet(entries.size());
        return; // the batch stays in flight: nothing may pass it
      }
      delivering.add(self);
    } finally {
      lock.unlock();
    }
    GuardedDestination.Outcome outcome;
    try {
      outcome = destination.deliver(pipeline, runId, entries.stream().map(e -> e.record).toList(), this::isAborted);
    } finally {
      lock.lock();
      try {
        delivering.remove(self);
        if (aborted) {
          Thread.interrupted(); // abort()'s interrupt may arrive after the call returned
        }
      } finally {
        lock.unlock();
      }
    }
    retries.addAndGet(outcome.retries());
    for (int i = 0; i < entries.size(); i++) {
      if (outcome.isDelivered(i)) {
        delivered.incrementAndGet();
      } else if (outcome.isAbandoned(i)) {
        undelivered.incrementAndGet();
      } else {
        park(entries.get(i), outcome.failure(i).orElseThrow());
      }
    }
    if (outcome.abandoned() > 0) {
      return; // the batch stays in flight: no checkpoint may pass its abandoned records
    }
    lock.lock();
    try {
      inFlight.compute(entries.get(0).seq, (k, n) -> n == 1 ? null : n - 1);
    } finally {
      lock.unlock();
    }
  }

  private void park(Entry e, GuardedDestination.Failure f) {
    deadLetters.add(
        new DeadLetter(
            0, pipeline, destination.name(), runId, e.record.key(), RecordCodec.toJson(e.record),
            e.original == null ? null : RecordCodec.toJson(e.original), f.reason(), f.attempts(),
            f.firstFailedAt(), f.lastFailedAt()));
    deadLettered.incrementAndGet();
  }

  private long jsonSize(Record record) {
    CountingStream out = new CountingStream();
    try {
      mapper.writeValue(out, record.data());
    } catch (IOException e) {
      throw new UncheckedIOException("measuring record '" + record.key() + "' failed", e);
    }
    return out.count;
  }

  private void fail(Throwable t) {
    failure = t;
    lock.lock();
    try {
      notFull.signalAll();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void throwIfFailed() {
    if (failure != null) {
      throw new DispatcherFailedException(pipeline, destination.name(), failure);
    }
  }

  private static final class CountingStream extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  private static final class Entry {
    final long seq;
    final Record record;
    final Record original;
    final long bytes;
    final long arrivalNanos;

    Entry(long seq, Record record, Record original, long bytes, long arrivalNanos) {
      this.seq = seq;
      this.record = record;
      this.original = original;
      this.bytes = bytes;
      this.arrivalNanos = arrivalNanos;
    }
  }
}
