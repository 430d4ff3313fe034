package dev.sluice.cli;

import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.ProviderRegistry;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = "Lists the plugins found: kind, type, version and the jar each came from.")
final class PluginsCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ProviderRegistry registry = config.registry();
    PrintWriter out = spec.commandLine().getOut();
    List<PluginInfo> all = registry.all();
    out.printf("%-14s %-14s %-16s %s%n", "KIND", "TYPE", "VERSION", "JAR");
    for (PluginInfo p : all) {
      out.printf("%-14s %-14s %-16s %s%n", p.kind().label(), p.type(), p.version(), p.location());
    }
    for (String skipped : registry.skipped()) {
      spec.commandLine().getErr().println("skipped: " + skipped);
    }
    return ExitCodes.OK;
  }
}
