package dev.sluice.cli;

import dev.sluice.Sluice;
import dev.sluice.config.LoadedConfig;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Starts every configured trigger and runs until stopped (SIGTERM or Ctrl-C), then shuts"
        + " down gracefully: triggers stop, in-flight batches drain within the shutdown timeout.")
final class RunCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Mixin ObservabilityOptions observability;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "How long in-flight batches may drain after SIGTERM before delivery is cut off and what"
          + " remains stays un-checkpointed for the next run (ISO-8601). Default: 30 s.")
  Duration shutdownTimeout;

  /**
   * Test seam: when set, called once the engine runs, with the engine, the running command's
   * observability (its metrics endpoint) and a stop action that does what SIGTERM does. Null in the
   * command.
   */
  static volatile Started startedListener;

  /** See {@link #startedListener}. */
  interface Started {
    void started(Sluice sluice, ObservabilityOptions observability, Runnable stop);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    observability.configureLogging(true);
    LoadedConfig loaded = config.loader().load(config.files());
    Sluice sluice;
    try {
      sluice = observability.start(loaded.builder(), true, out).shutdownTimeout(shutdownTimeout).build();
    } catch (RuntimeException e) {
      observability.close();
      loaded.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      out.println("sluice: stopping (draining in-flight batches)...");
      out.flush();
      try {
        sluice.close();
        loaded.close();
      } finally {
        observability.close(); // after the engine: the last run's meters and spans are in
        out.println("sluice: stopped");
        out.flush();
        stopped.countDown();
      }
    };
    Thread hook = new Thread(stop, "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    sluice.start();
    Started listener = startedListener;
    if (listener != null) {
      listener.started(sluice, observability, () -> {
        stop.run();
        Runtime.getRuntime().removeShutdownHook(hook);
      });
    }
    out.println("sluice: running " + sluice.pipelineNames().size() + " pipeline(s): "
        + String.join(", ", sluice.pipelineNames()) + " (SIGTERM or Ctrl-C stops)");
    out.flush();
    stopped.await(); // the shutdown hook ends the wait; the JVM exits after the hook returns
    return ExitCodes.OK;
  }
}
