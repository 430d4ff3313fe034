package dev.sluice.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.spi.ReadContext;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link ReadContext} for tests. Immutable apart from {@link #cancel()}; thread-safe. */
public final class TestReadContext implements ReadContext {
  private final String pipeline;
  private final JsonNode parameters;
  private final Clock clock;
  private volatile boolean cancelled;
  private final java.util.List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * A context for a run of {@code pipeline}.
   *
   * @param pipeline the pipeline's name
   * @param parameters the run's parameters; null for an empty object (copied)
   * @param clock the clock the connector sees
   */
  public TestReadContext(String pipeline, JsonNode parameters, Clock clock) {
    this.pipeline = Objects.requireNonNull(pipeline);
    this.parameters = parameters == null ? JsonNodeFactory.instance.objectNode() : parameters.deepCopy();
    this.clock = Objects.requireNonNull(clock);
  }

  /**
   * A context with no parameters and the system clock.
   *
   * @param pipeline the pipeline's name
   * @return the context
   */
  public static TestReadContext of(String pipeline) {
    return new TestReadContext(pipeline, null, Clock.systemUTC());
  }

  /** Cancels the run: {@link #isCancelled()} answers true from now on. */
  public void cancel() {
    cancelled = true;
  }

  @Override
  public String pipeline() {
    return pipeline;
  }

  @Override
  public String runId() {
    return "test-run";
  }

  @Override
  public JsonNode parameters() {
    return parameters.deepCopy();
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Logger logger() {
    return LoggerFactory.getLogger("sluice.test." + pipeline);
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  /** Keeps the note, so a test can check what the connector reports. */
  @Override
  public void note(String text) {
    if (text != null && !text.isBlank()) {
      notes.add(text);
    }
  }

  /**
   * The notes the connector added, in order.
   *
   * @return a snapshot, in the order added
   */
  public java.util.List<String> notes() {
    return java.util.List.copyOf(notes);
  }
}
