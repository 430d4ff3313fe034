package dev.sluice.internal.engine;

import dev.sluice.delivery.DeliverySettings;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterStore;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the records one run routes to one destination: buffers them (bounded by count and by
 * bytes, so the router blocks when the destination is slow), cuts batches by count, bytes and
 * linger, hands each batch to the destination's {@link GuardedDestination} (retries, breaker, rate
 * limit) on one of {@code concurrency} workers, and parks what can't be delivered as dead letters.
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
 * <p>A batch whose delivery is still going after {@link DeliverySettings#deliveryTimeout()} is
 * hung: {@link #checkHung} (called by whoever waits on this dispatcher: the router when the buffer
 * is full, the engine when it waits for the workers) stops delivery as {@link #abort()} does and
 * records why ({@link #stopReason()}). A worker that has not returned {@link
 * DeliverySettings#abandonGrace()} after the interrupt is given up on ({@link #abandonStuck()}):
 * its batch counts as undelivered and stays unsettled.
 *
 * <p>Not API: the engine creates one per run and destination. Thread-safety: {@link #offer} is
 * called by the router thread, {@link #runWorker()} by {@code concurrency} worker threads, the
 * other methods by any thread.
 */
public final class Dispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  /** How often a blocked router looks for a hung delivery. */
  private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final String pipeline;
  private final String runId;
  private final GuardedDestination destination;
  private final DeliverySettings settings;
  private final DeadLetterStore deadLetters;
  private final Runnable onSettled;
  private final DeliveryMeters meters;
  private final ObservationRegistry observations;
  /** The run's observation, parent of each batch's; null when not observed. */
  private final Observation runObservation;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private final ArrayDeque<Entry> buffer = new ArrayDeque<>();
  private long bufferedBytes;
  /** The router waits for room: what is buffered goes now, without lingering. */
  private boolean routerWaiting;
  /** First sequence number of each batch in flight, with a count: two batches can share one. */
  private final TreeMap<Long, Integer> inFlight = new TreeMap<>();
  /** Workers inside the destination call, with their batch. */
  private final Map<Thread, Delivery> delivering = new HashMap<>();
  /** Workers given up on; their batch was counted as undelivered when they were. */
  private final Set<Thread> abandoned = new HashSet<>();
  private boolean closed;
  private volatile boolean aborted;
  /** When delivery was stopped ({@link System#nanoTime()}); meaningful once aborted. */
  private volatile long abortedAtNanos;
  private volatile String stopReason;
  private volatile Throwable failure;

  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong undelivered = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  /**
   * @param onSettled called (from a worker thread) whenever records were settled; must not block
   * @param meters the pipeline's meters for this destination
   * @param observations where each batch ({@code sluice.deliver}) and retry is observed
   * @param runObservation the run's observation, parent of the batches'; null for none
   */
  Dispatcher(
      String pipeline,
      String runId,
      GuardedDestination destination,
      DeadLetterStore deadLetters,
      Runnable onSettled,
      DeliveryMeters meters,
      ObservationRegistry observations,
      Observation runObservation) {
    this.pipeline = Objects.requireNonNull(pipeline);
    this.runId = Objects.requireNonNull(runId);
    this.destination = Objects.requireNonNull(destination);
    this.settings = destination.settings();
    this.deadLetters = Objects.requireNonNull(deadLetters);
    this.onSettled = Objects.requireNonNull(onSettled);
    this.meters = Objects.requireNonNull(meters);
    this.observations = Objects.requireNonNull(observations);
    this.runObservation = runObservation;
  }

  /**
   * The destination this dispatcher delivers to.
   *
   * @return the destination's name
   */
  public String destinationName() {
    return destination.name();
  }

  /**
   * How many {@link #runWorker()} loops to start.
   *
   * @return the configured concurrency, at least 1
   */
  public int concurrency() {
    return settings.concurrency();
  }

  /**
   * Queues a record; blocks while the buffer is full (by count or bytes). A record larger than
   * {@link DeliverySettings#bufferBytes()} is taken when the buffer is empty.
   *
   * @param seq the record's sequence number in the run, not decreasing
   * @param record what to deliver (after transformations)
   * @param original the record as read, or null when unchanged
   * @param bytes the record's estimated size ({@link dev.sluice.internal.JsonSize})
   * @throws DispatcherFailedException when a worker died (e.g. the dead-letter store failed)
   * @throws DeliveryAbortedException when delivery was aborted or found hung
   * @throws InterruptedException when interrupted while waiting for buffer space
   */
  public void offer(long seq, Record record, Record original, long bytes) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while ((buffer.size() >= settings.bufferCapacity()
              || (!buffer.isEmpty() && bufferedBytes + bytes > settings.bufferBytes()))
          && failure == null && !aborted) {
        if (!routerWaiting) {
          routerWaiting = true; // full by bytes before a batch is: cut one now rather than linger
          notEmpty.signal();
        }
        if (notFull.awaitNanos(WATCH_NANOS) <= 0) {
          checkHungLocked(System.nanoTime());
        }
      }
      routerWaiting = false;
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
      abortLocked();
    } finally {
      lock.unlock();
    }
  }

  private void abortLocked() {
    if (aborted) {
      return;
    }
    abortedAtNanos = System.nanoTime();
    aborted = true;
    undelivered.addAndGet(buffer.size());
    // Only threads inside the destination call are interrupted, never one writing to the store.
    delivering.keySet().forEach(Thread::interrupt);
    notEmpty.signalAll();
    notFull.signalAll();
  }

  /**
   * Whether delivery was stopped: by {@link #abort()} or because a delivery hung.
   *
   * @return true once stopped
   */
  public boolean isAborted() {
    return aborted;
  }

  /**
   * Stops delivery when a batch has been delivered for longer than {@link
   * DeliverySettings#deliveryTimeout()}.
   *
   * @param nowNanos {@link System#nanoTime()}
   * @return whether delivery is (now) stopped because of a hung delivery
   */
  public boolean checkHung(long nowNanos) {
    lock.lock();
    try {
      return checkHungLocked(nowNanos);
    } finally {
      lock.unlock();
    }
  }

  private boolean checkHungLocked(long nowNanos) {
    if (stopReason != null || aborted) {
      return stopReason != null; // once stopped (by abort or before), a slow delivery is no news
    }
    long limit = settings.deliveryTimeout().toNanos();
    for (Delivery d : delivering.values()) {
      if (nowNanos - d.startedNanos > limit) {
        stopReason = "delivery to destination '" + destination.name() + "' did not return within deliveryTimeout "
            + settings.deliveryTimeout() + " (the destination does not keep to its own timeouts); delivery to it was"
            + " stopped and what it had not delivered was not checkpointed: the next run reads it again";
        LOG.error("pipeline '{}': run {}: {}", pipeline, runId, stopReason);
        abortLocked();
        return true;
      }
    }
    return false;
  }

  /**
   * When the workers still delivering should be given up on: {@link DeliverySettings#abandonGrace()}
   * after delivery was stopped, as a {@link System#nanoTime()} value; {@link Long#MAX_VALUE} while
   * it was not.
   *
   * @return the deadline in {@link System#nanoTime()} terms
   */
  public long abandonAtNanos() {
    return aborted ? abortedAtNanos + settings.abandonGrace().toNanos() : Long.MAX_VALUE;
  }

  /**
   * Gives up on the workers still inside the destination call after delivery was stopped: their
   * batches count as undelivered and stay unsettled, so no checkpoint passes them. Logged.
   *
   * @return how many workers were given up on
   */
  public int abandonStuck() {
    lock.lock();
    try {
      int n = 0;
      for (Map.Entry<Thread, Delivery> e : delivering.entrySet()) {
        if (abandoned.add(e.getKey())) {
          undelivered.addAndGet(e.getValue().size);
          n++;
          LOG.error("pipeline '{}': run {}: destination '{}' did not return from deliver in thread {} within {} of"
                  + " being interrupted; giving up on that thread: its {} record(s) stay undelivered", pipeline, runId,
              destination.name(), e.getKey().getName(), settings.abandonGrace(), e.getValue().size);
        }
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The highest sequence number up to which every record offered here is settled, given that the
   * router has routed everything up to {@code routedUpTo}. Read {@code routedUpTo} before calling.
   *
   * @param routedUpTo the sequence number the router has routed everything up to
   * @return the settled sequence number
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
    try (RunMdc mdc = RunMdc.engine(pipeline, runId, destination.name())) {
      List<Entry> batch;
      while ((batch = nextBatch()) != null) {
        if (deliver(batch)) {
          onSettled.run();
        }
      }
    } catch (InterruptedException e) {
      fail(e);
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      fail(e);
      throw e;
    }
  }

  /**
   * Why a worker died, or null.
   *
   * @return the failure, or null
   */
  public Throwable failure() {
    return failure;
  }

  /**
   * Why delivery was stopped other than by {@link #abort()} (a hung delivery), or null.
   *
   * @return the reason, or null
   */
  public String stopReason() {
    return stopReason;
  }

  /**
   * Records the destination acknowledged so far.
   *
   * @return the count
   */
  public long delivered() {
    return delivered.get();
  }

  /**
   * Records dead-lettered so far.
   *
   * @return the count
   */
  public long deadLettered() {
    return deadLettered.get();
  }

  /**
   * Records left undelivered by {@link #abort()}, a hung delivery or an abandoned worker.
   *
   * @return the count
   */
  public long undelivered() {
    return undelivered.get();
  }

  /**
   * Batches cut so far.
   *
   * @return the count
   */
  public long batches() {
    return batches.get();
  }

  /**
   * Delivery attempts after the first, so far.
   *
   * @return the count
   */
  public long retries() {
    return retries.get();
  }

  /**
   * Records waiting in the buffer now (for the {@code sluice.dispatcher.buffered} gauge).
   *
   * @return the count
   */
  public int buffered() {
    lock.lock();
    try {
      return buffer.size();
    } finally {
      lock.unlock();
    }
  }

  private boolean batchReady() {
    return buffer.size() >= settings.batchSize()
        || (settings.maxBatchBytes() > 0 && bufferedBytes >= settings.maxBatchBytes())
        || routerWaiting;
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

  /** Delivers one batch; returns whether it settled (its records all delivered or dead-lettered). */
  private boolean deliver(List<Entry> entries) throws InterruptedException {
    batches.incrementAndGet();
    meters.batchSize.record(entries.size());
    long startedNanos = System.nanoTime();
    Thread self = Thread.currentThread();
    lock.lock();
    try {
      if (aborted) {
        undelivered.addAndGet(entries.size());
        meters.latency(DeliveryMeters.ABANDONED).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
        return false; // the batch stays in flight: nothing may pass it
      }
      delivering.put(self, new Delivery(System.nanoTime(), entries.size()));
    } finally {
      lock.unlock();
    }
    GuardedDestination.Outcome outcome;
    List<Record> records = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      records.add(e.record);
    }
    Observation observation = startObservation(entries.size());
    Observation.Scope scope = observation == null ? null : observation.openScope();
    try {
      try {
        outcome = destination.deliver(pipeline, runId, records, this::isAborted, observations, observation);
      } finally {
        if (scope != null) {
          scope.close();
        }
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
    } catch (InterruptedException | RuntimeException | Error e) {
      meters.latency(DeliveryMeters.ABANDONED).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
      if (observation != null) {
        observation.lowCardinalityKeyValue("outcome", DeliveryMeters.ABANDONED).error(e).stop();
      }
      throw e;
    }
    lock.lock();
    try {
      if (abandoned.remove(self)) {
        finished(observation, DeliveryMeters.ABANDONED, startedNanos);
        return false; // given up on while inside: its records were counted as undelivered then
      }
    } finally {
      lock.unlock();
    }
    retries.addAndGet(outcome.retries());
    meters.retried.increment(outcome.retriedRecords());
    long deliveredNow = 0;
    long parkedNow = 0;
    try {
      for (int i = 0; i < entries.size(); i++) {
        if (outcome.isDelivered(i)) {
          delivered.incrementAndGet();
          deliveredNow++;
        } else if (outcome.isAbandoned(i)) {
          undelivered.incrementAndGet();
        } else {
          park(entries.get(i), outcome.failure(i).orElseThrow());
          parkedNow++;
        }
      }
    } catch (RuntimeException | Error e) { // the dead-letter store failed: the worker dies
      if (observation != null) {
        observation.error(e);
      }
      finished(observation, DeliveryMeters.ABANDONED, startedNanos);
      throw e;
    } finally {
      meters.delivered.increment(deliveredNow);
      meters.deadLettered.increment(parkedNow);
    }
    finished(observation,
        outcome.abandoned() > 0 ? DeliveryMeters.ABANDONED
            : parkedNow == 0 ? DeliveryMeters.DELIVERED
            : deliveredNow == 0 ? DeliveryMeters.FAILED
            : DeliveryMeters.PARTIAL,
        startedNanos);
    if (outcome.abandoned() > 0) {
      return false; // the batch stays in flight: no checkpoint may pass its abandoned records
    }
    lock.lock();
    try {
      inFlight.compute(entries.get(0).seq, (k, n) -> n == 1 ? null : n - 1);
    } finally {
      lock.unlock();
    }
    return true;
  }

  /** The batch's {@code sluice.deliver} observation, started; null when nothing is observed. */
  private Observation startObservation(int size) {
    if (observations.isNoop()) {
      return null;
    }
    Observation o = Observation.createNotStarted("sluice.deliver", observations)
        .contextualName("deliver " + destination.name())
        .lowCardinalityKeyValue("pipeline", pipeline)
        .lowCardinalityKeyValue("destination", destination.name())
        .highCardinalityKeyValue("run.id", runId)
        .highCardinalityKeyValue("batch.size", Integer.toString(size));
    if (runObservation != null) {
      o.parentObservation(runObservation);
    }
    return o.start();
  }

  private void finished(Observation observation, String outcome, long startedNanos) {
    meters.latency(outcome).record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    if (observation != null) {
      observation.lowCardinalityKeyValue("outcome", outcome).stop();
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

  /** A batch being delivered: since when, and how many records. */
  private record Delivery(long startedNanos, int size) {}

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
