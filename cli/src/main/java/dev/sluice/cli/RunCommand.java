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
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "How long in-flight batches may drain after SIGTERM before delivery is cut off and what"
          + " remains stays un-checkpointed for the next run (ISO-8601). Default: 30 s.")
  Duration shutdownTimeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LoadedConfig loaded = config.loader().load(config.files());
    Sluice sluice;
    try {
      sluice = loaded.builder().shutdownTimeout(shutdownTimeout).build();
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      out.println("sluice: stopping (draining in-flight batches)...");
      out.flush();
      try {
        sluice.close();
        loaded.close();
      } finally {
        out.println("sluice: stopped");
        out.flush();
        stopped.countDown();
      }
    }, "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    sluice.start();
    out.println("sluice: running " + sluice.pipelineNames().size() + " pipeline(s): "
        + String.join(", ", sluice.pipelineNames()) + " (SIGTERM or Ctrl-C stops)");
    out.flush();
    stopped.await(); // the shutdown hook ends the wait; the JVM exits after the hook returns
    return ExitCodes.OK;
  }
}
