package dev.sluice.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Checkpoint;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run did: how many records it read, which rules matched how often, what each
 * destination delivered or dead-lettered, how long it took, and why it failed if it did.
 *
 * <p>Immutable. {@link #render()} is the human form printed by the CLI; {@link #toJson()} is what
 * the store and the REST API keep.
 */
public final class RunReport {
  private final String runId;
  private final String pipeline;
  private final String trigger;
  private final RunStatus status;
  private final Instant startedAt;
  private final Instant finishedAt;
  private final long recordsRead;
  private final long recordsRejected;
  private final long recordsUnmatched;
  private final long routingErrors;
  private final Map<String, Long> ruleMatches;
  private final Map<String, DestinationStats> destinations;
  private final Checkpoint checkpoint;
  private final String error;
  private final String resumedAfter;
  private final List<String> notes;

  RunReport(
      String runId,
      String pipeline,
      String trigger,
      RunStatus status,
      Instant startedAt,
      Instant finishedAt,
      long recordsRead,
      long recordsRejected,
      long recordsUnmatched,
      long routingErrors,
      Map<String, Long> ruleMatches,
      Map<String, DestinationStats> destinations,
      Checkpoint checkpoint,
      String error,
      String resumedAfter,
      List<String> notes) {
    this.runId = Objects.requireNonNull(runId);
    this.pipeline = Objects.requireNonNull(pipeline);
    this.trigger = Objects.requireNonNull(trigger);
    this.status = Objects.requireNonNull(status);
    this.startedAt = Objects.requireNonNull(startedAt);
    this.finishedAt = finishedAt;
    this.recordsRead = recordsRead;
    this.recordsRejected = recordsRejected;
    this.recordsUnmatched = recordsUnmatched;
    this.routingErrors = routingErrors;
    this.ruleMatches = Collections.unmodifiableMap(new LinkedHashMap<>(ruleMatches));
    this.destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    this.checkpoint = checkpoint;
    this.error = error;
    this.resumedAfter = resumedAfter;
    this.notes = List.copyOf(notes);
  }

  /**
   * Starts a report, for engines and for tests of code that consumes reports. Counters default to
   * 0, maps and notes to empty, the rest to absent.
   *
   * @throws NullPointerException when an argument is null
   */
  public static Builder builder(String runId, String pipeline, String trigger, RunStatus status, Instant startedAt) {
    return new Builder(runId, pipeline, trigger, status, startedAt);
  }

  /** Collects a report's values; not thread-safe, use it from one thread. */
  public static final class Builder {
    private final String runId;
    private final String pipeline;
    private final String trigger;
    private final RunStatus status;
    private final Instant startedAt;
    private Instant finishedAt;
    private long recordsRead;
    private long recordsRejected;
    private long recordsUnmatched;
    private long routingErrors;
    private Map<String, Long> ruleMatches = Map.of();
    private Map<String, DestinationStats> destinations = Map.of();
    private Checkpoint checkpoint;
    private String error;
    private String resumedAfter;
    private List<String> notes = List.of();

    private Builder(String runId, String pipeline, String trigger, RunStatus status, Instant startedAt) {
      this.runId = Objects.requireNonNull(runId, "runId");
      this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
      this.trigger = Objects.requireNonNull(trigger, "trigger");
      this.status = Objects.requireNonNull(status, "status");
      this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
    }

    /** When the run ended; null while it runs. */
    public Builder finishedAt(Instant finishedAt) {
      this.finishedAt = finishedAt;
      return this;
    }

    /**
     * The record counters.
     *
     * @throws IllegalArgumentException when one is negative
     */
    public Builder counts(long read, long rejected, long unmatched, long routingErrors) {
      if (read < 0 || rejected < 0 || unmatched < 0 || routingErrors < 0) {
        throw new IllegalArgumentException("counters must not be negative, got read=" + read + " rejected="
            + rejected + " unmatched=" + unmatched + " routingErrors=" + routingErrors);
      }
      this.recordsRead = read;
      this.recordsRejected = rejected;
      this.recordsUnmatched = unmatched;
      this.routingErrors = routingErrors;
      return this;
    }

    /** Matches per rule name, in rule order. */
    public Builder ruleMatches(Map<String, Long> ruleMatches) {
      this.ruleMatches = Objects.requireNonNull(ruleMatches, "ruleMatches");
      return this;
    }

    /** What each destination did, by destination name. */
    public Builder destinations(Map<String, DestinationStats> destinations) {
      this.destinations = Objects.requireNonNull(destinations, "destinations");
      return this;
    }

    /** The checkpoint the run committed last; null for none. */
    public Builder checkpoint(Checkpoint checkpoint) {
      this.checkpoint = checkpoint;
      return this;
    }

    /** Why the run failed; null when it did not. */
    public Builder error(String error) {
      this.error = error;
      return this;
    }

    /** The id of the interrupted run this one resumed; null for none. */
    public Builder resumedAfter(String resumedAfter) {
      this.resumedAfter = resumedAfter;
      return this;
    }

    /** Remarks for the operator, in order. */
    public Builder notes(List<String> notes) {
      this.notes = Objects.requireNonNull(notes, "notes");
      return this;
    }

    /** The immutable report; the builder may be used on. */
    public RunReport build() {
      return new RunReport(runId, pipeline, trigger, status, startedAt, finishedAt, recordsRead, recordsRejected,
          recordsUnmatched, routingErrors, ruleMatches, destinations, checkpoint, error, resumedAfter, notes);
    }
  }

  /**
   * The report of a run that never read anything: skipped by the overlap policy, cancelled while
   * queued, or unable to start.
   *
   * @param status a final status
   * @param reason why it did not run, reported as {@link #error()}
   */
  public static RunReport notRun(
      String runId, String pipeline, String trigger, RunStatus status, Instant at, String reason) {
    if (!status.isFinal()) {
      throw new IllegalArgumentException("a run that did not run needs a final status, got " + status);
    }
    return new RunReport(runId, pipeline, trigger, status, at, at, 0, 0, 0, 0, Map.of(), Map.of(), null,
        reason, null, List.of());
  }

  /**
   * This report as the run's end when the process running it stopped without finishing: status
   * {@link RunStatus#INTERRUPTED}, finished at {@code at}, with {@code reason} as the error; the
   * counters stay as last recorded.
   */
  public RunReport interrupted(Instant at, String reason) {
    return new RunReport(runId, pipeline, trigger, RunStatus.INTERRUPTED, startedAt, at, recordsRead, recordsRejected,
        recordsUnmatched, routingErrors, ruleMatches, destinations, checkpoint, reason, resumedAfter, notes);
  }

  public String runId() {
    return runId;
  }

  public String pipeline() {
    return pipeline;
  }

  public String trigger() {
    return trigger;
  }

  public RunStatus status() {
    return status;
  }

  public boolean succeeded() {
    return status == RunStatus.SUCCEEDED;
  }

  public Instant startedAt() {
    return startedAt;
  }

  /** Null while running. */
  public Instant finishedAt() {
    return finishedAt;
  }

  public Duration duration() {
    return finishedAt == null ? Duration.ZERO : Duration.between(startedAt, finishedAt);
  }

  /** Records the connector emitted. */
  public long recordsRead() {
    return recordsRead;
  }

  /** Input the connector could not read, kept as dead letters. */
  public long recordsRejected() {
    return recordsRejected;
  }

  /** Records no rule matched and no {@code otherwise} route took. */
  public long recordsUnmatched() {
    return recordsUnmatched;
  }

  /** Records a condition or transformation failed on. */
  public long routingErrors() {
    return routingErrors;
  }

  /** Matches per rule name, in evaluation order. */
  public Map<String, Long> ruleMatches() {
    return ruleMatches;
  }

  /** Counters per destination, in order of first mention in the pipeline. */
  public Map<String, DestinationStats> destinations() {
    return destinations;
  }

  public long delivered() {
    return destinations.values().stream().mapToLong(DestinationStats::delivered).sum();
  }

  public long deadLettered() {
    return destinations.values().stream().mapToLong(DestinationStats::deadLettered).sum();
  }

  /**
   * Deliveries left undone because the shutdown deadline passed; never checkpointed, so the next
   * run reads them again.
   */
  public long undelivered() {
    return destinations.values().stream().mapToLong(DestinationStats::undelivered).sum();
  }

  /** The last checkpoint committed by this run. */
  public Optional<Checkpoint> checkpoint() {
    return Optional.ofNullable(checkpoint);
  }

  /** Why the run failed, or why it did not run (skipped, cancelled while queued). */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /**
   * The id of the {@link RunStatus#INTERRUPTED interrupted} run this one picked up after: the run
   * that committed the checkpoint it started from, or, when a cluster node runs a run again after
   * the node running it died, this run's own id.
   */
  public Optional<String> resumedAfter() {
    return Optional.ofNullable(resumedAfter);
  }

  /**
   * What else a reader of the report should know, in sentences: the interrupted run it resumed, a
   * checkpoint it could not commit because an overlapping run committed first.
   */
  public List<String> notes() {
    return notes;
  }

  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("runId", runId);
    n.put("pipeline", pipeline);
    n.put("trigger", trigger);
    n.put("status", status.name());
    n.put("startedAt", startedAt.toString());
    if (finishedAt != null) {
      n.put("finishedAt", finishedAt.toString());
    }
    n.put("durationMillis", duration().toMillis());
    n.put("recordsRead", recordsRead);
    n.put("recordsRejected", recordsRejected);
    n.put("recordsUnmatched", recordsUnmatched);
    n.put("routingErrors", routingErrors);
    ObjectNode rules = n.putObject("ruleMatches");
    ruleMatches.forEach(rules::put);
    ObjectNode dests = n.putObject("destinations");
    destinations.forEach(
        (name, s) -> {
          ObjectNode d = dests.putObject(name);
          d.put("delivered", s.delivered());
          d.put("deadLettered", s.deadLettered());
          d.put("batches", s.batches());
          d.put("retries", s.retries());
          if (s.undelivered() > 0) {
            d.put("undelivered", s.undelivered());
          }
        });
    if (checkpoint != null) {
      n.set("checkpoint", checkpoint.state());
    }
    if (error != null) {
      n.put("error", error);
    }
    if (resumedAfter != null) {
      n.put("resumedAfter", resumedAfter);
    }
    if (!notes.isEmpty()) {
      notes.forEach(n.putArray("notes")::add);
    }
    return n;
  }

  /**
   * The report {@link #toJson()} wrote, read back: how a node learns the outcome of a run another
   * node of the cluster ran, from the shared run history.
   *
   * @throws IllegalArgumentException naming the first missing or malformed field
   */
  public static RunReport fromJson(JsonNode n) {
    Map<String, Long> rules = new LinkedHashMap<>();
    n.path("ruleMatches").properties().forEach(e -> rules.put(e.getKey(), e.getValue().asLong()));
    List<String> notes = new ArrayList<>();
    n.path("notes").forEach(note -> notes.add(note.asText()));
    Map<String, DestinationStats> dests = new LinkedHashMap<>();
    n.path("destinations").properties().forEach(e -> dests.put(e.getKey(), new DestinationStats(
        e.getValue().path("delivered").asLong(), e.getValue().path("deadLettered").asLong(),
        e.getValue().path("batches").asLong(), e.getValue().path("retries").asLong(),
        e.getValue().path("undelivered").asLong())));
    try {
      return new RunReport(text(n, "runId"), text(n, "pipeline"), text(n, "trigger"),
          RunStatus.valueOf(text(n, "status")), Instant.parse(text(n, "startedAt")),
          n.hasNonNull("finishedAt") ? Instant.parse(n.get("finishedAt").asText()) : null,
          n.path("recordsRead").asLong(), n.path("recordsRejected").asLong(), n.path("recordsUnmatched").asLong(),
          n.path("routingErrors").asLong(), rules, dests,
          n.hasNonNull("checkpoint") ? Checkpoint.of(n.get("checkpoint")) : null,
          n.hasNonNull("error") ? n.get("error").asText() : null,
          n.hasNonNull("resumedAfter") ? n.get("resumedAfter").asText() : null, notes);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("run report has a malformed time: " + e.getParsedString(), e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("run report has no text field '" + field + "': " + n);
    }
    return v.asText();
  }

  /** A small table for people. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    double seconds = duration().toNanos() / 1e9;
    sb.append(String.format(Locale.ROOT, "Run %s of pipeline '%s' %s in %.3f s (trigger: %s)%n",
        runId, pipeline, status.name().toLowerCase(Locale.ROOT), seconds, trigger));
    sb.append(String.format(Locale.ROOT, "  records read      %,12d%s%n", recordsRead,
        seconds > 0 ? String.format(Locale.ROOT, "   (%,.0f records/s)", recordsRead / seconds) : ""));
    if (recordsRejected > 0) {
      sb.append(String.format(Locale.ROOT, "  rejected input    %,12d   (kept as dead letters)%n", recordsRejected));
    }
    sb.append(String.format(Locale.ROOT, "  unmatched         %,12d%n", recordsUnmatched));
    if (routingErrors > 0) {
      sb.append(String.format(Locale.ROOT, "  routing errors    %,12d%n", routingErrors));
    }
    if (!ruleMatches.isEmpty()) {
      sb.append("  rules                 matched\n");
      ruleMatches.forEach((rule, n) -> sb.append(String.format(Locale.ROOT, "    %-18s%,10d%n", rule, n)));
    }
    if (!destinations.isEmpty()) {
      sb.append("  destinations        delivered  dead-lettered  batches  retries\n");
      destinations.forEach((name, s) -> sb.append(String.format(Locale.ROOT, "    %-16s%,12d %,14d %,8d %,8d%n",
          name, s.delivered(), s.deadLettered(), s.batches(), s.retries())));
    }
    if (undelivered() > 0) {
      sb.append(String.format(Locale.ROOT, "  undelivered       %,12d   (shutdown; not checkpointed, read again next run)%n",
          undelivered()));
    }
    if (checkpoint != null) {
      sb.append("  checkpoint        ").append(checkpoint.state()).append('\n');
    }
    if (error != null) {
      sb.append("  error             ").append(error).append('\n');
    }
    if (resumedAfter != null) {
      sb.append("  resumed after     ").append(resumedAfter).append(" (interrupted)\n");
    }
    notes.forEach(note -> sb.append("  note              ").append(note).append('\n'));
    return sb.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  /**
   * Counters of one destination in one run.
   *
   * @param delivered records acknowledged
   * @param deadLettered records parked after permanent failure or exhausted retries
   * @param batches batches cut
   * @param retries delivery attempts after the first
   * @param undelivered records neither acknowledged nor dead-lettered because the shutdown deadline
   *     passed
   */
  public record DestinationStats(
      long delivered, long deadLettered, long batches, long retries, long undelivered) {
    /** Stats of a run that left nothing undelivered. */
    public DestinationStats(long delivered, long deadLettered, long batches, long retries) {
      this(delivered, deadLettered, batches, retries, 0);
    }
  }
}
