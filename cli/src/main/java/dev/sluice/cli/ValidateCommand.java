package dev.sluice.cli;

import dev.sluice.config.ConfigProblem;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Checks configuration files and prints every problem as file:line:column /pointer message.")
final class ValidateCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    List<ConfigProblem> problems = config.loader().validate(config.files());
    if (!problems.isEmpty()) {
      problems.forEach(p -> spec.commandLine().getErr().println(p));
      spec.commandLine().getErr().println(problems.size() + (problems.size() == 1 ? " problem" : " problems"));
      return ExitCodes.INVALID_CONFIG;
    }
    spec.commandLine().getOut().println("OK: " + String.join(", ", config.files().stream().map(Object::toString).toList()));
    return ExitCodes.OK;
  }
}
