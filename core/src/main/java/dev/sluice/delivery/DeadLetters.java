package dev.sluice.delivery;

import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
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

/**
 * The dead letters of one Sluice instance: list, replay, purge ({@code sluice.deadLetters()}).
 *
 * <p>A replay re-delivers each dead letter's record (as it was handed to the destination, i.e.
 * after transformations) through the same destination, with the destination's delivery settings,
 * circuit breaker and rate limit, in batches that carry the dead letter's pipeline name, so every
 * record has the same idempotency key as in the original delivery: a destination that dedupes by
 * it never stores a record twice. Dead letters delivered this time are deleted; those that fail
 * again stay, with the new reason, the attempts added up and the new failure time.
 *
 * <p>Not replayable, and left as they are: rejected input ({@link DeadLetter#SOURCE}: fix the
 * source), routing failures ({@link DeadLetter#ROUTER}: fix the rule, then re-read), and dead
 * letters of destinations this instance does not define.
 *
 * <p>Thread-safe. Replays run on the calling thread and wait for retries like a run does.
 */
public final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  /** Dead letters loaded from the store at a time. */
  private static final int PAGE = 500;

  private final DeadLetterStore store;
  private final Map<String, GuardedDestination> destinations;
  private final Supplier<String> runIds;
  private final Clock clock;

  /**
   * @param destinations by name: the same instances the engine delivers through
   * @param runIds makes the replay's run id
   */
  public DeadLetters(
      DeadLetterStore store, Map<String, GuardedDestination> destinations, Supplier<String> runIds, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.destinations = Map.copyOf(destinations);
    this.runIds = Objects.requireNonNull(runIds, "runIds");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Matching dead letters in id order, at most {@code query.limit()}. */
  public List<DeadLetter> list(DeadLetterQuery query) {
    return store.list(query);
  }

  public Optional<DeadLetter> find(long id) {
    return store.find(id);
  }

  public long count(DeadLetterQuery query) {
    return store.count(query);
  }

  /**
   * Replays the matching dead letters (at most {@code query.limit()}): {@link DeadLetterQuery#all()}
   * for all, {@code DeadLetterQuery.of(null, "warehouse")} for one destination's.
   *
   * @throws InterruptedException when interrupted; what was replayed so far stays replayed
   */
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

  /**
   * Replays one dead letter.
   *
   * @throws UnknownDeadLetterException when there is none with that id
   */
  public ReplayReport replay(long id) throws InterruptedException {
    DeadLetter d = store.find(id).orElseThrow(() -> new UnknownDeadLetterException(id));
    Replay replay = new Replay();
    replay.run(List.of(d));
    return replay.finish();
  }

  /** Deletes the matching dead letters (the limit is ignored). @return how many */
  public long purge(DeadLetterQuery query) {
    long n = store.purge(query);
    LOG.info("purged {} dead letter(s) (pipeline {}, destination {})", n,
        query.pipeline() == null ? "any" : "'" + query.pipeline() + "'",
        query.destination() == null ? "any" : "'" + query.destination() + "'");
    return n;
  }

  /** Deletes one dead letter. @return whether it existed */
  public boolean purge(long id) {
    return store.delete(id);
  }

  /** State of one replay call. */
  private final class Replay {
    private final String runId = runIds.get();
    private final Instant startedAt = clock.instant();
    /** (pipeline, destination) → whether everything replayed there was delivered. */
    private final Map<List<String>, Boolean> touched = new LinkedHashMap<>();
    /** Ids a store that (against its contract) re-adds on update gave this replay's own failures. */
    private final Set<Long> rewritten = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private long selected;
    private long delivered;
    private long failedAgain;
    private long skipped;

    void run(List<DeadLetter> page) throws InterruptedException {
      Map<List<String>, List<DeadLetter>> groups = new LinkedHashMap<>();
      for (DeadLetter d : page) {
        if (rewritten.contains(d.id())) {
          continue;
        }
        selected++;
        if (d.destination().equals(DeadLetter.SOURCE)) {
          skip(d, "rejected input is not replayable: fix the source data");
        } else if (d.destination().equals(DeadLetter.ROUTER)) {
          skip(d, "its routing failed: fix the rule and read the record again");
        } else if (!destinations.containsKey(d.destination())) {
          skip(d, "destination '" + d.destination() + "' is not defined here");
        } else {
          groups.computeIfAbsent(List.of(d.pipeline(), d.destination()), k -> new ArrayList<>()).add(d);
        }
      }
      for (Map.Entry<List<String>, List<DeadLetter>> g : groups.entrySet()) {
        deliver(g.getKey().get(0), destinations.get(g.getKey().get(1)), g.getValue());
      }
    }

    private void deliver(String pipeline, GuardedDestination destination, List<DeadLetter> letters)
        throws InterruptedException {
      List<DeadLetter> ready = new ArrayList<>();
      List<Record> records = new ArrayList<>();
      for (DeadLetter d : letters) {
        try {
          records.add(RecordCodec.fromJson(d.record()));
          ready.add(d);
        } catch (IllegalArgumentException e) {
          skip(d, "its stored record is unreadable: " + e.getMessage());
        }
      }
      boolean allDelivered = true;
      int size = destination.settings().batchSize();
      for (int from = 0; from < ready.size(); from += size) {
        int to = Math.min(ready.size(), from + size);
        GuardedDestination.Outcome outcome =
            destination.deliver(pipeline, runId, records.subList(from, to), () -> false);
        for (int i = 0; i < to - from; i++) {
          DeadLetter d = ready.get(from + i);
          Optional<GuardedDestination.Failure> f = outcome.failure(i);
          if (f.isEmpty()) {
            store.delete(d.id());
            delivered++;
          } else {
            allDelivered = false;
            failedAgain++;
            problem("dead letter " + d.id() + " (record '" + d.recordKey() + "', destination '"
                + d.destination() + "') failed again: " + f.get().reason());
            store.update(d.failedAgain(f.get().reason(), f.get().attempts(), f.get().lastFailedAt()))
                .ifPresent(u -> rewritten.add(u.id()));
          }
        }
      }
      if (!ready.isEmpty()) {
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
