package dev.sluice.destinations.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.AbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class LogDestinationTest {

  /** Keeps formatted messages with their level. */
  static final class CapturingLogger extends AbstractLogger {
    final List<String> lines = new ArrayList<>();
    final Level threshold;

    CapturingLogger(Level threshold) {
      this.threshold = threshold;
      this.name = "capture";
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String msg, Object[] args, Throwable t) {
      lines.add(level + " " + MessageFormatter.basicArrayFormat(msg, args));
    }

    private boolean on(Level l) {
      return l.toInt() >= threshold.toInt();
    }

    public boolean isTraceEnabled() { return on(Level.TRACE); }
    public boolean isTraceEnabled(Marker m) { return on(Level.TRACE); }
    public boolean isDebugEnabled() { return on(Level.DEBUG); }
    public boolean isDebugEnabled(Marker m) { return on(Level.DEBUG); }
    public boolean isInfoEnabled() { return on(Level.INFO); }
    public boolean isInfoEnabled(Marker m) { return on(Level.INFO); }
    public boolean isWarnEnabled() { return on(Level.WARN); }
    public boolean isWarnEnabled(Marker m) { return on(Level.WARN); }
    public boolean isErrorEnabled() { return on(Level.ERROR); }
    public boolean isErrorEnabled(Marker m) { return on(Level.ERROR); }
  }

  private static Batch batch() {
    return Batch.of("orders", "log", "r", List.of(
        Record.of("k1", JsonNodeFactory.instance.objectNode().put("amount", 5)),
        Record.of("k2", JsonNodeFactory.instance.objectNode().put("note", "x".repeat(100)))));
  }

  @Test
  void logsEveryRecordWithPipelineKeyAndTruncatedJson() {
    CapturingLogger logger = new CapturingLogger(Level.INFO);
    new LogDestination(logger, Level.WARN, 20).deliver(batch());
    assertThat(logger.lines).containsExactly(
        "WARN [orders] k1 {\"amount\":5}",
        "WARN [orders] k2 {\"note\":\"xxxxxxxxxxx… (111 chars)"); // 20 chars kept
  }

  @Test
  void skipsWorkWhenTheLevelIsOff() {
    CapturingLogger logger = new CapturingLogger(Level.WARN);
    assertThat(new LogDestination(logger, Level.DEBUG, 100).deliver(batch()).isSuccess()).isTrue();
    assertThat(logger.lines).isEmpty();
  }
}
