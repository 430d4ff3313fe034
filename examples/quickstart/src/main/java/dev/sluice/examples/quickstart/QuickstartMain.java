package dev.sluice.examples.quickstart;

import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.pipeline.RunReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The quickstart: read {@code orders.jsonl}; orders over 1000 go to {@code out/alerts.jsonl} and
 * to the log; every order goes to {@code out/orders.csv}. Prints the run report.
 *
 * <p>State (checkpoints, run history, dead letters) lives in an embedded H2 file database under
 * {@code data/}, so a second run continues where the first stopped: it reads only lines appended
 * to {@code orders.jsonl} since. Delete {@code data/} to start over.
 *
 * <p>Run it from {@code examples/quickstart} (the README's first command does), or pass the folder
 * holding {@code orders.jsonl} as the first argument.
 */
public final class QuickstartMain {
  private QuickstartMain() {}

  public static void main(String[] args) {
    Path base = Path.of(args.length > 0 ? args[0] : ".");
    RunReport report = run(base);
    System.out.println();
    System.out.println(report.render());
    System.out.println("Output: " + base.resolve("out").toAbsolutePath().normalize());
    System.out.println("State:  " + base.resolve("data").toAbsolutePath().normalize()
        + " (delete it to read orders.jsonl from the start again)");
    if (!report.succeeded()) {
      System.exit(1);
    }
  }

  /** The store of the quickstart in {@code base}: the H2 file {@code base/data/sluice.mv.db}. */
  public static JdbcStore openStore(Path base) {
    return JdbcStore.open(JdbcStoreOptions.builder()
        .url("jdbc:h2:file:" + base.resolve("data/sluice").toAbsolutePath())
        .build());
  }

  /** Builds the pipeline on {@code base}, runs it once, returns the report. */
  public static RunReport run(Path base) {
    try (JdbcStore store = openStore(base);
        Sluice sluice = Sluice.builder()
            .store(store)
            // append: each run reads only new orders, so the files grow with every run
            .destination("alerts", "file", Map.of("path", base.resolve("out/alerts.jsonl").toString(), "mode", "append"))
            .destination("console", "log", Map.of("maxChars", 160))
            .destination("all-orders", "file", Map.of(
                "path", base.resolve("out/orders.csv").toString(), "mode", "append",
                "columns", List.of("id", "createdAt", "status", "channel", "currency", "amount")))
            .pipeline("orders", p -> p
                .source("file", Map.of("path", base.resolve("orders.jsonl").toString(), "key", "id"))
                .route(r -> r.name("big-orders").when("$.amount > 1000").to("alerts", "console"))
                .route(r -> r.name("every-order").to("all-orders")))
            .build()) {
      return sluice.run("orders");
    }
  }
}
