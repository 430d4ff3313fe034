package dev.sluice.internal.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The hand-off from a run's reader to its router: bounded by item count and by bytes, whichever
 * fills first. An item larger than the byte limit is still taken when the queue is empty, so one
 * huge record can't block the run. Each item's size is stored with it (in a parallel array, no
 * wrapper per item), so the consumer learns it without measuring again.
 *
 * <p>{@link #close()} ends the hand-off: a producer waiting for room, or offering later, gets an
 * {@link InterruptedException}, so a source that ignores cancellation still stops once the run no
 * longer reads.
 *
 * <p>Thread-safe; meant for one producer and one consumer.
 */
final class RecordQueue {
  private final Object[] items;
  private final long[] sizes;
  private final long maxBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private int head;
  private int count;
  private long bytes;
  private boolean closed;
  /** Size of the item the consumer took last; read by the consumer only. */
  private long takenBytes;

  /**
   * @param capacity items at most, at least 1
   * @param maxBytes bytes at most, at least 1
   */
  RecordQueue(int capacity, long maxBytes) {
    if (capacity < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("capacity and maxBytes must be >= 1, got " + capacity + ", " + maxBytes);
    }
    this.items = new Object[capacity];
    this.sizes = new long[capacity];
    this.maxBytes = maxBytes;
  }

  /**
   * Adds {@code item}, waiting for room.
   *
   * @param size its size in bytes, at least 0
   * @throws InterruptedException when interrupted, or when the queue is or gets closed
   */
  void put(Object item, long size) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (!closed && (count == items.length || (count > 0 && bytes + size > maxBytes))) {
        notFull.await();
      }
      if (closed) {
        throw new InterruptedException("the run no longer reads");
      }
      int tail = (head + count) % items.length;
      items[tail] = item;
      sizes[tail] = size;
      count++;
      bytes += size;
      if (count == 1) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes the oldest item, waiting at most {@code timeout}; null when none came. */
  Object poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lockInterruptibly();
    try {
      while (count == 0) {
        if (nanos <= 0) {
          return null;
        }
        nanos = notEmpty.awaitNanos(nanos);
      }
      Object item = items[head];
      items[head] = null;
      takenBytes = sizes[head];
      head = (head + 1) % items.length;
      count--;
      bytes -= takenBytes;
      notFull.signal();
      return item;
    } finally {
      lock.unlock();
    }
  }

  /** The size given with the item {@link #poll} returned last. For the consumer thread. */
  long lastTakenBytes() {
    return takenBytes;
  }

  /** Items in the queue now (for the {@code sluice.queue.depth} gauge). */
  int size() {
    lock.lock();
    try {
      return count;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes every item left, for a run that must account for what it read but did not route. For
   * the consumer, after {@link #close()}.
   *
   * @return the items, oldest first
   */
  java.util.List<Object> drain() {
    lock.lock();
    try {
      java.util.List<Object> left = new java.util.ArrayList<>(count);
      while (count > 0) {
        left.add(items[head]);
        items[head] = null;
        head = (head + 1) % items.length;
        count--;
      }
      bytes = 0;
      notFull.signalAll();
      return left;
    } finally {
      lock.unlock();
    }
  }

  /** Ends the hand-off; see the class description. Idempotent. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
