package dev.sluice.internal.engine;

import org.slf4j.MDC;

/**
 * Puts the run's log context into the SLF4J MDC of the current thread (keys {@value #PIPELINE},
 * {@value #RUN_ID} and, for destination work, {@value #DESTINATION}). On {@link #close()}, the
 * thread that called the run gets back what it had before; an engine thread (a pooled reader,
 * worker or committer thread) has the keys removed, so it carries no run's context into other
 * work, even if it inherited one when it was created.
 *
 * <p>Not API. Use on one thread, in try-with-resources.
 */
final class RunMdc implements AutoCloseable {
  static final String PIPELINE = "pipeline";
  static final String RUN_ID = "runId";
  static final String DESTINATION = "destination";

  private final String previousPipeline;
  private final String previousRunId;
  private final String previousDestination;
  private final boolean withDestination;

  private RunMdc(String pipeline, String runId, String destination, boolean restore) {
    previousPipeline = restore ? MDC.get(PIPELINE) : null;
    previousRunId = restore ? MDC.get(RUN_ID) : null;
    withDestination = destination != null;
    previousDestination = withDestination && restore ? MDC.get(DESTINATION) : null;
    MDC.put(PIPELINE, pipeline);
    MDC.put(RUN_ID, runId);
    if (withDestination) {
      MDC.put(DESTINATION, destination);
    }
  }

  /** Pipeline and run id on the thread that called the run: restored on close. */
  static RunMdc caller(String pipeline, String runId) {
    return new RunMdc(pipeline, runId, null, true);
  }

  /** Pipeline and run id on an engine thread: removed on close. */
  static RunMdc engine(String pipeline, String runId) {
    return new RunMdc(pipeline, runId, null, false);
  }

  /** Pipeline, run id and destination on an engine thread: removed on close. */
  static RunMdc engine(String pipeline, String runId, String destination) {
    return new RunMdc(pipeline, runId, destination, false);
  }

  @Override
  public void close() {
    restore(PIPELINE, previousPipeline);
    restore(RUN_ID, previousRunId);
    if (withDestination) {
      restore(DESTINATION, previousDestination);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }
}
