package dev.sluice.cli;

import dev.sluice.jdbc.JdbcStore;
import dev.sluice.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "migrate",
    description = "Applies pending database migrations to the configured store (they also run on start unless"
        + " the store has migrate: false).")
final class MigrateCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // Open without migrating, so that the migrations applied here are counted and reported.
    try (Store store = config.loader().openStore(config.files(),
        (type, options) -> type.equals("jdbc") ? options.put("migrate", false) : options)) {
      if (!(store instanceof JdbcStore)) {
        spec.commandLine().getOut().println("the store (" + store + ") has no schema to migrate");
        return ExitCodes.OK;
      }
      int applied = ((JdbcStore) store).migrate();
      spec.commandLine().getOut().println(applied == 0
          ? "the schema of " + store + " is up to date"
          : "applied " + applied + " migration(s) to " + store);
      return ExitCodes.OK;
    }
  }
}
