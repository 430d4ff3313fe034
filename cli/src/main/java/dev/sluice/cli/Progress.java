package dev.sluice.cli;

import dev.sluice.pipeline.RunProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Prints a run's progress: one line rewritten in place on a terminal, or a plain line every
 * interval when the output is a file or a pipe (CI logs stay readable).
 */
final class Progress {
  private final PrintWriter out;
  private final boolean terminal;
  private final String pipeline;
  private final long startNanos = System.nanoTime();
  private int lastWidth;

  Progress(PrintWriter out, boolean terminal, String pipeline) {
    this.out = out;
    this.terminal = terminal;
    this.pipeline = pipeline;
  }

  void show(RunProgress p) {
    String line = line(p, Duration.ofNanos(System.nanoTime() - startNanos));
    if (terminal) {
      out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
      lastWidth = line.length();
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Ends the in-place line so the report starts on its own line. */
  void done() {
    if (terminal && lastWidth > 0) {
      out.println();
    }
  }

  String line(RunProgress p, Duration elapsed) {
    double seconds = Math.max(elapsed.toNanos() / 1e9, 1e-9);
    long routed = p.recordsRead() - p.recordsUnmatched() - p.routingErrors();
    return String.format(Locale.ROOT, "%s: %,d read, %,d routed, %,d delivered, %,d dead-lettered, %,.0f records/s, %s",
        pipeline, p.recordsRead(), routed, p.delivered(), p.deadLettered(), p.recordsRead() / seconds, clock(elapsed));
  }

  static String clock(Duration d) {
    long ms = d.toMillis();
    return String.format(Locale.ROOT, "%02d:%02d.%d", ms / 60_000, (ms / 1000) % 60, (ms / 100) % 10);
  }
}
