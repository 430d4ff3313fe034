package dev.sluice.cli;

import dev.sluice.config.ConfigLoader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "secret", mixinStandardHelpOptions = true,
    // picocli interpolates ${...} in descriptions; $${ prints a literal ${.
    description = "Manages the encrypted secrets that $${secret:name} refers to (needs store and secrets.key).",
    subcommands = {SecretCommand.Set.class, SecretCommand.ListNames.class, SecretCommand.Delete.class})
final class SecretCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "set", mixinStandardHelpOptions = true,
      description = "Stores a secret; the value is read from standard input (first line), never from the command line.")
  static final class Set implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      String value = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (value == null || value.isEmpty()) {
        spec.commandLine().getErr().println("sluice: no value on standard input (try: printf '%s' \"$TOKEN\" | sluice secret set " + name + ")");
        return ExitCodes.USAGE;
      }
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        access.secrets().put(name, value);
      }
      spec.commandLine().getOut().println("stored secret '" + name + "'");
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists secret names (never values).")
  static final class ListNames implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        access.secrets().names().forEach(spec.commandLine().getOut()::println);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a secret.")
  static final class Delete implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    public Integer call() throws Exception {
      try (ConfigLoader.SecretsAccess access = config.loader().openSecrets(config.files())) {
        if (!access.secrets().delete(name)) {
          spec.commandLine().getErr().println("sluice: no secret named '" + name + "'");
          return ExitCodes.ERROR;
        }
      }
      spec.commandLine().getOut().println("deleted secret '" + name + "'");
      return ExitCodes.OK;
    }
  }
}
