package dev.sluice.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.config.LoadedConfig;
import dev.sluice.delivery.DeadLetters;
import dev.sluice.delivery.ReplayReport;
import dev.sluice.internal.Json;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "dead-letters", mixinStandardHelpOptions = true,
    description = "Lists, replays and purges the records that could not be delivered (needs a persistent store).",
    subcommands = {DeadLettersCommand.ListCommand.class, DeadLettersCommand.Replay.class, DeadLettersCommand.Purge.class})
final class DeadLettersCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Which dead letters: all, by pipeline and/or destination, or by id. Exactly one way is required. */
  static final class Selection {
    @Option(names = "--all", description = "Every dead letter.")
    boolean all;

    @ArgGroup(exclusive = false)
    Filter filter;

    @Parameters(paramLabel = "ID", description = "Dead letter ids.")
    List<Long> ids;

    static final class Filter {
      @Option(names = {"-p", "--pipeline"}, paramLabel = "PIPELINE", description = "Only this pipeline's.")
      String pipeline;

      @Option(names = {"-d", "--destination"}, paramLabel = "DESTINATION", description = "Only this destination's.")
      String destination;
    }

    DeadLetterQuery query() {
      return all ? DeadLetterQuery.all() : DeadLetterQuery.of(filter.pipeline, filter.destination);
    }

    String describe() {
      if (all) {
        return "all";
      }
      List<String> parts = new ArrayList<>();
      if (filter.pipeline != null) {
        parts.add("pipeline '" + filter.pipeline + "'");
      }
      if (filter.destination != null) {
        parts.add("destination '" + filter.destination + "'");
      }
      return String.join(", ", parts);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists dead letters, oldest first.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-p", "--pipeline"}, paramLabel = "PIPELINE", description = "Only this pipeline's.")
    String pipeline;

    @Option(names = {"-d", "--destination"}, paramLabel = "DESTINATION", description = "Only this destination's.")
    String destination;

    @Option(names = "--after", paramLabel = "ID", description = "Only ids greater than this (paging).")
    long after;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most this many (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "Print them as JSON, records included.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (LoadedConfig loaded = config.loader().load(config.files())) {
        DeadLetterQuery query = new DeadLetterQuery(pipeline, destination, after, Math.max(1, limit));
        List<DeadLetter> letters = loaded.store().deadLetters().list(query);
        if (json) {
          ObjectMapper mapper = Json.newMapper();
          ArrayNode all = mapper.createArrayNode();
          letters.forEach(d -> all.add(toJson(mapper, d)));
          out.println(SchemaCommand.pretty(all));
          return ExitCodes.OK;
        }
        out.printf("%-8s %-16s %-16s %-20s %8s  %-24s %s%n", "ID", "PIPELINE", "DESTINATION", "RECORD", "ATTEMPTS",
            "LAST FAILED", "REASON");
        for (DeadLetter d : letters) {
          out.printf("%-8d %-16s %-16s %-20s %8d  %-24s %s%n", d.id(), d.pipeline(), d.destination(),
              shorten(d.recordKey(), 20), d.attempts(), d.lastFailedAt(), shorten(d.reason(), 100));
        }
        long total = loaded.store().deadLetters().count(new DeadLetterQuery(pipeline, destination, 0, 1));
        out.printf("%d shown, %d in total%s%n", letters.size(), total,
            letters.size() == query.limit() ? " (next page: --after " + letters.get(letters.size() - 1).id() + ")" : "");
        return ExitCodes.OK;
      }
    }

    private static ObjectNode toJson(ObjectMapper mapper, DeadLetter d) {
      ObjectNode n = mapper.createObjectNode();
      n.put("id", d.id());
      n.put("pipeline", d.pipeline());
      n.put("destination", d.destination());
      n.put("runId", d.runId());
      n.put("recordKey", d.recordKey());
      n.put("attempts", d.attempts());
      n.put("firstFailedAt", d.firstFailedAt().toString());
      n.put("lastFailedAt", d.lastFailedAt().toString());
      n.put("reason", d.reason());
      n.set("record", d.record());
      if (d.original() != null) {
        n.set("original", d.original());
      }
      return n;
    }

    private static String shorten(String s, int max) {
      return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
  }

  @Command(name = "replay", mixinStandardHelpOptions = true,
      description = "Delivers dead letters again through their destination, with the same idempotency keys;"
          + " deletes those delivered, keeps the others with the new reason. Exit code 1 when some failed again.")
  static final class Replay implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (LoadedConfig loaded = config.loader().load(config.files()); Sluice sluice = loaded.builder().build()) {
        DeadLetters deadLetters = sluice.deadLetters();
        List<ReplayReport> reports = new ArrayList<>();
        if (selection.ids != null) {
          for (long id : selection.ids) {
            reports.add(deadLetters.replay(id));
          }
        } else {
          reports.add(deadLetters.replay(selection.query()));
        }
        long failed = 0;
        for (ReplayReport r : reports) {
          out.print(r.render());
          failed += r.failedAgain();
        }
        return failed > 0 ? ExitCodes.RUN_FAILED : ExitCodes.OK;
      }
    }
  }

  @Command(name = "purge", mixinStandardHelpOptions = true, description = "Deletes dead letters for good.")
  static final class Purge implements Callable<Integer> {
    @Mixin ConfigOptions config;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      try (LoadedConfig loaded = config.loader().load(config.files())) {
        if (selection.ids != null) {
          int purged = 0;
          for (long id : selection.ids) {
            if (loaded.store().deadLetters().delete(id)) {
              purged++;
            } else {
              spec.commandLine().getErr().println("sluice: no dead letter with id " + id);
            }
          }
          out.println("purged " + purged + " dead letter(s)");
          return purged == selection.ids.size() ? ExitCodes.OK : ExitCodes.ERROR;
        }
        long n = loaded.store().deadLetters().purge(selection.query());
        out.println("purged " + n + " dead letter(s) (" + selection.describe() + ")");
        return ExitCodes.OK;
      }
    }
  }
}
