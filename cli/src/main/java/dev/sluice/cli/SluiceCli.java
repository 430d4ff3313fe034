package dev.sluice.cli;

import dev.sluice.SluiceException;
import dev.sluice.config.InvalidConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;

/**
 * The {@code sluice} command.
 *
 * <p>Exit codes: 0 done, 1 a run failed, 2 bad command line, 3 invalid configuration, 4 other
 * errors (see {@link ExitCodes} and docs/user-guide/cli.md).
 */
@Command(
    name = "sluice",
    mixinStandardHelpOptions = true,
    versionProvider = SluiceCli.Version.class,
    scope = CommandLine.ScopeType.INHERIT, // every subcommand gets --help and --version
    description = "Pulls records from sources, routes them by rules, delivers them to destinations.",
    subcommands = {
      RunCommand.class,
      ServeCommand.class,
      OnceCommand.class,
      ValidateCommand.class,
      SchemaCommand.class,
      PluginsCommand.class,
      TestRulesCommand.class,
      TrySourceCommand.class,
      SecretCommand.class,
      MigrateCommand.class,
      CronCommand.class,
      DeadLettersCommand.class,
      AuthCommands.Users.class,
      AuthCommands.ApiKeys.class,
      AuthCommands.Roles.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done; for once: every run succeeded",
      "1:a run failed or was cancelled",
      "2:bad command line",
      "3:invalid configuration (problems printed as file:line:column /pointer message)",
      "4:other error (store unreachable, I/O error)"
    })
public final class SluiceCli implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  /**
   * The {@code sluice} command: runs the command line and exits with its exit code (see the class
   * annotation's exit code list).
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    // Before the engine logs anything: text on standard error, quiet by default; `run` logs at info.
    // --log-format and --log-level of run/once reconfigure it once parsed.
    try {
      Logging.configure(Logging.Format.text, Logging.defaultLevel(args.length > 0 && args[0].equals("run")));
    } catch (IllegalArgumentException e) {
      System.err.println("sluice: -Dsluice.log.level: " + e.getMessage());
      System.exit(ExitCodes.USAGE);
    }
    System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the command with these streams; the exit code is returned, not exited.
   *
   * @param args the command line
   * @param out standard output
   * @param err standard error
   * @return the exit code
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new SluiceCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter w = commandLine.getErr();
      if (e instanceof InvalidConfigException) {
        ((InvalidConfigException) e).problems().forEach(w::println);
        return ExitCodes.INVALID_CONFIG;
      }
      w.println("sluice: " + (e instanceof SluiceException || e.getMessage() != null ? e.getMessage() : e.toString()));
      if (Boolean.getBoolean("sluice.debug")) {
        e.printStackTrace(w);
      }
      return ExitCodes.ERROR;
    });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reads the version from the jar's manifest. */
  public static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SluiceCli.class.getPackage().getImplementationVersion();
      return new String[] {"sluice " + (v == null ? "(development build)" : v),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
    }
  }
}
