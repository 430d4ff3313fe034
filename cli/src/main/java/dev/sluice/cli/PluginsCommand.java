package dev.sluice.cli;

import dev.sluice.spi.InstalledPlugin;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.ProviderRegistry;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "plugins", mixinStandardHelpOptions = true,
    description = {
        "Lists the plugins found: kind, type, version and the jar each came from; then, for --plugins DIR,"
            + " each plugin (a jar, or a folder of jars, each in its own class loader) with its version,"
            + " what it provides and its problems.",
        "A plugin that fails to load is listed with the reason and skipped; the others load."})
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
    List<InstalledPlugin> installed = registry.installed();
    if (!installed.isEmpty()) {
      out.println();
      out.println("Plugins in " + config.pluginsDir + ":");
      for (InstalledPlugin plugin : installed) {
        out.printf("  %s  version %s  %s%n", plugin.path().getFileName(), plugin.version(),
            plugin.loaded() ? "loaded" : "SKIPPED");
        for (PluginInfo p : plugin.providers()) {
          out.printf("    %-12s %-14s from %s%n", p.kind().label(), p.type(), p.location());
        }
        for (String problem : plugin.problems()) {
          out.println("    problem: " + problem);
        }
      }
    }
    for (String skipped : registry.skipped()) {
      spec.commandLine().getErr().println("skipped: " + skipped);
    }
    return ExitCodes.OK;
  }
}
