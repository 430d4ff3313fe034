package dev.sluice.cli;

import dev.sluice.Sluice;
import dev.sluice.config.LoadedConfig;
import dev.sluice.pipeline.RunReport;
import dev.sluice.schedule.RunHandle;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "once", mixinStandardHelpOptions = true,
    description = "Runs pipelines now, shows their progress, prints the run reports and exits;"
        + " the exit code is 1 when a run failed.")
final class OnceCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger("sluice.run");

  @Mixin ConfigOptions config;
  @Mixin ObservabilityOptions observability;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "PIPELINE", description = "The pipeline to run.")
  String pipeline;

  @Option(names = "--all", description = "Run every pipeline, one after the other.")
  boolean all;

  @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
      description = "auto (a live line on a terminal, plain lines otherwise), live, plain or off. Default: ${DEFAULT-VALUE}.")
  String progress;

  @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT5S",
      description = "How often plain progress lines are printed (ISO-8601). Default: 5 s.")
  Duration interval;

  @Override
  public Integer call() throws Exception {
    if (all == (pipeline != null)) {
      spec.commandLine().getErr().println("sluice once: name one pipeline, or --all");
      return ExitCodes.USAGE;
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean live = progress.equals("live") || (progress.equals("auto") && System.console() != null);
    observability.configureLogging(false);
    try (ObservabilityOptions obs = observability;
        LoadedConfig loaded = config.loader().load(config.files());
        Sluice sluice = obs.start(loaded.builder(), false, out).build()) {
      List<String> names = all ? new ArrayList<>(sluice.pipelineNames()) : List.of(pipeline);
      boolean failed = false;
      for (String name : names) {
        RunHandle handle = sluice.trigger(name);
        Progress display = new Progress(out, live, name);
        Duration every = live ? Duration.ofMillis(200) : interval;
        Optional<RunReport> report = Optional.empty();
        while (report.isEmpty()) {
          report = handle.await(every);
          if (report.isEmpty() && !progress.equals("off")) {
            display.show(handle.progress());
          }
        }
        display.done();
        logRun(handle, report.get());
        out.print(report.get().render());
        failed |= !report.get().succeeded();
      }
      return failed ? ExitCodes.RUN_FAILED : ExitCodes.OK;
    }
  }

  /** One log line per run (info), with the run's pipeline and id in the MDC. */
  private static void logRun(RunHandle handle, RunReport report) {
    try (var p = MDC.putCloseable("pipeline", handle.pipeline()); var r = MDC.putCloseable("runId", handle.id())) {
      LOG.info("run {} of pipeline {} ended {}: {} read", handle.id(), handle.pipeline(),
          report.status(), report.recordsRead());
    }
  }
}
