package dev.sluice.internal.engine;

import dev.sluice.delivery.DeadLetters;
import dev.sluice.delivery.ReplayReport;
import dev.sluice.delivery.UnknownDeadLetterException;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.routing.Router;
import dev.sluice.routing.RoutingException;
import dev.sluice.spi.RunInfo;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.DeadLetterStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link DeadLetters} over a {@link DeadLetterStore} and the engine's guarded destinations. Thread-safe. */
public final class StoreDeadLetters implements DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(StoreDeadLetters.class);
  /** Dead letters loaded from the store at a time. */
  private static final int PAGE = 500;

  private final DeadLetterStore store;
  private final Map<String, GuardedDestination> destinations;
  private final Map<String, PipelineRules> pipelines;
  private final Supplier<String> runIds;
  private final Clock clock;

  /**
   * Dead letters without pipeline rules: routing failures are not replayed.
   *
   * @param store where the dead letters are
   * @param destinations by name: the same instances the engine delivers through
   * @param runIds makes the replay's run id
   * @param clock stamps replays and their failures
   */
  public StoreDeadLetters(
      DeadLetterStore store, Map<String, GuardedDestination> destinations, Supplier<String> runIds, Clock clock) {
    this(store, destinations, Map.of(), runIds, clock);
  }

  /**
   * Dead letters that replay destination failures, and routing failures through the current rules
   * of {@code pipelines}.
   *
   * @param store where the dead letters are
   * @param destinations by name: the same instances the engine delivers through
   * @param pipelines by name: the current rules that routing failures are replayed through
   * @param runIds makes the replay's run id
   * @param clock stamps replays and their failures
   */
  public StoreDeadLetters(
      DeadLetterStore store,
      Map<String, GuardedDestination> destinations,
      Map<String, PipelineRules> pipelines,
      Supplier<String> runIds,
      Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.destinations = Map.copyOf(destinations);
    this.pipelines = Map.copyOf(pipelines);
    this.runIds = Objects.requireNonNull(runIds, "runIds");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public List<DeadLetter> list(DeadLetterQuery query) {
    return store.list(query);
  }

  @Override
  public Optional<DeadLetter> find(long id) {
    return store.find(id);
  }

  @Override
  public long count(DeadLetterQuery query) {
    return store.count(query);
  }

  @Override
  public ReplayReport replay(DeadLetterQuery query) throws InterruptedException {
    Replay replay = new Replay();
    long after = query.afterId();
    long remaining = query.limit();
    while (remaining > 0) {
      List<DeadLetter> page = store.list(
          new DeadLetterQuery(query.pipeline(), query.destination(), after, (int) Math.min(PAGE, remaining)));
      if (page.isEmpty()) {
        break;
      }
      after = page.get(page.size() - 1).id();
      remaining -= page.size();
      replay.run(page);
    }
    return replay.finish();
  }

  @Override
  public ReplayReport replay(long id) throws InterruptedException {
    DeadLetter d = store.find(id).orElseThrow(() -> new UnknownDeadLetterException(id));
    Replay replay = new Replay();
    replay.run(List.of(d));
    return replay.finish();
  }

  @Override
  public long purge(DeadLetterQuery query) {
    long n = store.purge(query);
    LOG.info("purged {} dead letter(s) (pipeline {}, destination {})", n,
        query.pipeline() == null ? "any" : "'" + query.pipeline() + "'",
        query.destination() == null ? "any" : "'" + query.destination() + "'");
    return n;
  }

  @Override
  public boolean purge(long id) {
    return store.delete(id);
  }

  /**
   * A pipeline's current rules, as a replay of its routing failures uses them.
   *
   * @param router the pipeline's compiled rules (custom rules bound), never null
   * @param deadLetterUnmatched whether a record no rule matches stays a dead letter ({@code
   *     unmatched: dead-letter}) rather than being dropped
   */
  public record PipelineRules(Router router, boolean deadLetterUnmatched) {
    /**
     * Checks the router.
     *
     * @param router the pipeline's compiled rules (custom rules bound), never null
     * @param deadLetterUnmatched whether a record no rule matches stays a dead letter
     * @throws NullPointerException when {@code router} is null
     */
    public PipelineRules {
      Objects.requireNonNull(router, "router");
    }
  }

  /** One record to deliver: a dead letter's own record, or a result of routing one again. */
  private record Item(DeadLetter letter, Record record, Record original, boolean rerouted) {}

  /** State of one replay call. */
  private final class Replay {
    private final String runId = runIds.get();
    private final Instant startedAt = clock.instant();
    /** (pipeline, destination) → whether everything replayed there was delivered. */
    private final Map<List<String>, Boolean> touched = new LinkedHashMap<>();
    /**
     * Ids of this replay's own failures, not to be replayed again when a later page lists them:
     * results of re-routed records parked at their destination, and those a store that (against
     * its contract) re-adds on update gave them.
     */
    private final Set<Long> rewritten = new HashSet<>();
    /** Routing failures of this page some of whose results failed at their destination. */
    private final Set<Long> reroutedFailures = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private long selected;
    private long delivered;
    private long failedAgain;
    private long skipped;

    void run(List<DeadLetter> page) throws InterruptedException {
      Map<List<String>, List<Item>> groups = new LinkedHashMap<>();
      List<DeadLetter> rerouted = new ArrayList<>();
      for (DeadLetter d : page) {
        if (rewritten.contains(d.id())) {
          continue;
        }
        selected++;
        if (d.destination().equals(DeadLetter.SOURCE)) {
          skip(d, "rejected input is not replayable: fix the source data");
        } else if (d.destination().equals(DeadLetter.ROUTER)) {
          if (reroute(d, groups)) {
            rerouted.add(d);
          }
        } else if (!destinations.containsKey(d.destination())) {
          skip(d, "destination '" + d.destination() + "' is not defined here");
        } else {
          try {
            Item item = new Item(d, RecordCodec.fromJson(d.record()), null, false);
            groups.computeIfAbsent(List.of(d.pipeline(), d.destination()), k -> new ArrayList<>()).add(item);
          } catch (IllegalArgumentException e) {
            skip(d, "its stored record is unreadable: " + e.getMessage());
          }
        }
      }
      for (Map.Entry<List<String>, List<Item>> g : groups.entrySet()) {
        deliver(g.getKey().get(0), destinations.get(g.getKey().get(1)), g.getValue());
      }
      // Only now, with every result delivered or parked at its destination, can the routing
      // failure go: a crash before this point replays it again (same idempotency keys).
      for (DeadLetter d : rerouted) {
        store.delete(d.id());
        if (reroutedFailures.remove(d.id())) {
          failedAgain++;
        } else {
          delivered++;
        }
      }
    }

    /**
     * Routes a routing failure's record through the pipeline's current rules and adds the results
     * to {@code groups}. @return whether the dead letter is settled by its results (else it was
     * skipped, kept or dropped here)
     */
    private boolean reroute(DeadLetter d, Map<List<String>, List<Item>> groups) {
      PipelineRules rules = pipelines.get(d.pipeline());
      if (rules == null) {
        skip(d, "its routing failed and pipeline '" + d.pipeline() + "' is not defined here");
        return false;
      }
      Record record;
      try {
        record = RecordCodec.fromJson(d.record());
      } catch (IllegalArgumentException e) {
        skip(d, "its stored record is unreadable: " + e.getMessage());
        return false;
      }
      Router router = rules.router();
      List<String> names = router.destinations();
      for (String name : names) {
        if (!destinations.containsKey(name)) {
          skip(d, "its routing failed and destination '" + name + "' of pipeline '" + d.pipeline()
              + "' is not defined here");
          return false;
        }
      }
      int matched;
      try {
        // All or nothing: the sink sees the results only when every rule succeeded.
        matched = router.route(record, new Router.Scratch(),
            (destination, out, original) -> groups
                .computeIfAbsent(List.of(d.pipeline(), names.get(destination)), k -> new ArrayList<>())
                .add(new Item(d, out, original, true)),
            new long[router.rules().size()]);
      } catch (RoutingException e) {
        failedAgain++;
        problem("dead letter " + d.id() + " (record '" + d.recordKey() + "') failed routing again: " + e.getMessage());
        store.update(d.failedAgain(e.getMessage(), 0, clock.instant())).ifPresent(u -> rewritten.add(u.id()));
        return false;
      } catch (InterruptedException e) {
        throw new IllegalStateException("a collecting sink is never interrupted", e);
      }
      if (matched == 0) {
        if (rules.deadLetterUnmatched()) {
          failedAgain++;
          problem("dead letter " + d.id() + " (record '" + d.recordKey() + "') matches no rule: kept (unmatched: dead-letter)");
          store.update(d.failedAgain("no rule matched", 0, clock.instant())).ifPresent(u -> rewritten.add(u.id()));
        } else {
          delivered++;
          problem("dead letter " + d.id() + " (record '" + d.recordKey() + "') matches no rule: dropped (unmatched: drop)");
          store.delete(d.id());
        }
        return false;
      }
      return true;
    }

    private void deliver(String pipeline, GuardedDestination destination, List<Item> items)
        throws InterruptedException {
      List<Record> records = new ArrayList<>(items.size());
      for (Item item : items) {
        records.add(item.record());
      }
      boolean allDelivered = true;
      int size = destination.settings().batchSize();
      for (int from = 0; from < items.size(); from += size) {
        int to = Math.min(items.size(), from + size);
        GuardedDestination.Outcome outcome =
            destination.deliver(pipeline, runId, records.subList(from, to), () -> false);
        for (int i = 0; i < to - from; i++) {
          Item item = items.get(from + i);
          DeadLetter d = item.letter();
          Optional<GuardedDestination.Failure> f = outcome.failure(i);
          if (f.isPresent()) {
            allDelivered = false;
            problem("dead letter " + d.id() + " (record '" + d.recordKey() + "', destination '"
                + destination.name() + "') failed again: " + f.get().reason());
          }
          if (item.rerouted()) {
            if (f.isPresent()) {
              // Parked at its destination like in a run; the routing failure is settled by run().
              reroutedFailures.add(d.id());
              DeadLetter parked = store.add(new DeadLetter(0, pipeline, destination.name(), runId,
                  item.record().key(), RecordCodec.toJson(item.record()),
                  item.original() == null ? null : RecordCodec.toJson(item.original()),
                  f.get().reason(), f.get().attempts(), f.get().firstFailedAt(), f.get().lastFailedAt()));
              rewritten.add(parked.id());
            }
          } else if (f.isEmpty()) {
            store.delete(d.id());
            delivered++;
          } else {
            failedAgain++;
            store.update(d.failedAgain(f.get().reason(), f.get().attempts(), f.get().lastFailedAt()))
                .ifPresent(u -> rewritten.add(u.id()));
          }
        }
      }
      if (!items.isEmpty()) {
        touched.merge(List.of(pipeline, destination.name()), allDelivered, Boolean::logicalAnd);
      }
    }

    ReplayReport finish() {
      for (Map.Entry<List<String>, Boolean> e : touched.entrySet()) {
        String pipeline = e.getKey().get(0);
        String destination = e.getKey().get(1);
        try {
          destinations.get(destination).destination()
              .finishRun(new RunInfo(pipeline, runId, startedAt), e.getValue());
        } catch (Exception ex) {
          LOG.error("replay {}: destination '{}' could not finish the replay of pipeline '{}'",
              runId, destination, pipeline, ex);
          problem("destination '" + destination + "' could not finish the replay: " + ex);
        }
      }
      ReplayReport report = new ReplayReport(runId, selected, delivered, failedAgain, skipped, problems);
      LOG.info("dead-letter replay {}: {} selected, {} delivered, {} failed again, {} skipped",
          runId, selected, delivered, failedAgain, skipped);
      return report;
    }

    private void skip(DeadLetter d, String why) {
      skipped++;
      problem("dead letter " + d.id() + " (record '" + d.recordKey() + "') skipped: " + why);
    }

    private void problem(String line) {
      if (problems.size() < ReplayReport.MAX_PROBLEMS) {
        problems.add(line);
      }
    }
  }
}
