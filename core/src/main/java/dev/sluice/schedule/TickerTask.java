package dev.sluice.schedule;

import java.time.Instant;

/** A task waiting in a ticker's queue: ordered by time, then by the order it was scheduled in. */
final class TickerTask implements Ticker.Timer, Comparable<TickerTask> {
  final Instant at;
  final long seq;
  final Runnable task;
  volatile boolean cancelled;

  TickerTask(Instant at, long seq, Runnable task) {
    this.at = at;
    this.seq = seq;
    this.task = task;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }

  @Override
  public int compareTo(TickerTask o) {
    int c = at.compareTo(o.at);
    return c != 0 ? c : Long.compare(seq, o.seq);
  }
}
