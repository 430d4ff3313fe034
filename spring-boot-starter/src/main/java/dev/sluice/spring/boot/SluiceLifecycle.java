package dev.sluice.spring.boot;

import dev.sluice.Sluice;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Ties a {@link Sluice} to the application context: {@link #start()} starts its triggers (cron
 * schedules, webhook endpoints, plugin triggers) when the context starts, {@link #stop()} shuts it
 * down gracefully when the context stops: triggers stop, runs in progress deliver what they read
 * within the shutdown timeout ({@code sluice.shutdown-timeout}), then connectors and destinations
 * close. A Sluice that was stopped can't be started again (as {@link Sluice#shutdown} says).
 *
 * <p>Its phase is {@link #PHASE}: it starts after the web server (so webhook endpoints answer from
 * the first request, 503 until the Sluice starts) and stops before the web server's graceful
 * shutdown and before the beans it needs (the data source) are destroyed.
 *
 * <p>Thread-safe.
 */
public class SluiceLifecycle implements SmartLifecycle {
  /** The lifecycle phase: just below Spring's default phase, above the web server's. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;
  private static final Logger LOG = LoggerFactory.getLogger(SluiceLifecycle.class);

  private final Sluice sluice;
  private final Duration shutdownTimeout;
  private final boolean autoStartup;
  private volatile boolean stopped;

  /**
   * @param sluice what to start and stop; never null
   * @param shutdownTimeout how long runs in progress get to deliver on stop; never null
   * @param autoStartup whether to start with the context
   */
  public SluiceLifecycle(Sluice sluice, Duration shutdownTimeout, boolean autoStartup) {
    this.sluice = Objects.requireNonNull(sluice, "sluice");
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    this.autoStartup = autoStartup;
  }

  @Override
  public synchronized void start() {
    if (!stopped && !sluice.isStarted()) {
      sluice.start();
      LOG.info("Sluice started: {} pipeline(s) {}", sluice.pipelineNames().size(), sluice.pipelineNames());
    }
  }

  /** Shuts the Sluice down, waiting up to the shutdown timeout for runs in progress. */
  @Override
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    boolean drained = sluice.shutdown(shutdownTimeout);
    LOG.info("Sluice stopped{}", drained ? "" : " (runs still delivering after " + shutdownTimeout + " were stopped)");
  }

  @Override
  public boolean isRunning() {
    return !stopped && sluice.isStarted();
  }

  @Override
  public boolean isAutoStartup() {
    return autoStartup;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
