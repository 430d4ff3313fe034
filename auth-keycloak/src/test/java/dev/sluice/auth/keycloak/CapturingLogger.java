package dev.sluice.auth.keycloak;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** An slf4j logger that keeps every formatted line (all levels enabled), for assertions on log content. */
final class CapturingLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  /** One formatted line. */
  record Line(Level level, String message, Throwable thrown) {
    @Override
    public String toString() {
      return level + " " + message;
    }
  }

  private final List<Line> lines = new CopyOnWriteArrayList<>();

  CapturingLogger(String name) {
    this.name = name;
  }

  List<Line> lines() {
    return List.copyOf(lines);
  }

  void clear() {
    lines.clear();
  }

  /** Everything logged, including throwable messages, as one text. */
  String all() {
    StringBuilder sb = new StringBuilder();
    for (Line l : lines) {
      sb.append(l).append('\n');
      for (Throwable t = l.thrown(); t != null; t = t.getCause()) {
        sb.append(t).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(Level level, Marker marker, String messagePattern, Object[] arguments,
      Throwable throwable) {
    String message = MessageFormatter.basicArrayFormat(messagePattern, arguments);
    lines.add(new Line(level, message, throwable));
    System.out.println("[" + name + "] " + level + " " + message);
  }

  @Override
  public boolean isTraceEnabled() {
    return true;
  }

  @Override
  public boolean isDebugEnabled() {
    return true;
  }

  @Override
  public boolean isInfoEnabled() {
    return true;
  }

  @Override
  public boolean isWarnEnabled() {
    return true;
  }

  @Override
  public boolean isErrorEnabled() {
    return true;
  }
}
