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
   * @param runId the run's id
   * @param pipeline the pipeline's name
   * @param trigger what started the run, as kept in the run history
   * @param status the run's status
   * @param startedAt when the run started
   * @return a new builder
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

    /**
     * When the run ended; null while it runs.
     *
     * @param finishedAt the end time, or null
     * @return this builder
     */
    public Builder finishedAt(Instant finishedAt) {
      this.finishedAt = finishedAt;
      return this;
    }

    /**
     * The record counters.
     *
     * @param read records the connector emitted
     * @param rejected input the connector could not read
     * @param unmatched records no rule and no {@code otherwise} route took
     * @param routingErrors records a condition or transformation failed on
     * @return this builder
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

    /**
     * Matches per rule name, in rule order.
     *
     * @param ruleMatches rule name to matches; copied by {@link #build()}
     * @return this builder
     */
    public Builder ruleMatches(Map<String, Long> ruleMatches) {
      this.ruleMatches = Objects.requireNonNull(ruleMatches, "ruleMatches");
      return this;
    }

    /**
     * What each destination did, by destination name.
     *
     * @param destinations destination name to its counters; copied by {@link #build()}
     * @return this builder
     */
    public Builder destinations(Map<String, DestinationStats> destinations) {
      this.destinations = Objects.requireNonNull(destinations, "destinations");
      return this;
    }

    /**
     * The checkpoint the run committed last; null for none.
     *
     * @param checkpoint the checkpoint, or null
     * @return this builder
     */
    public Builder checkpoint(Checkpoint checkpoint) {
      this.checkpoint = checkpoint;
      return this;
    }

    /**
     * Why the run failed; null when it did not.
     *
     * @param error the reason, or null
     * @return this builder
     */
    public Builder error(String error) {
      this.error = error;
      return this;
    }

    /**
     * The id of the interrupted run this one resumed; null for none.
     *
     * @param resumedAfter the run id, or null
     * @return this builder
     */
    public Builder resumedAfter(String resumedAfter) {
      this.resumedAfter = resumedAfter;
      return this;
    }

    /**
     * Remarks for the operator, in order.
     *
     * @param notes the remarks; copied by {@link #build()}
     * @return this builder
     */
    public Builder notes(List<String> notes) {
      this.notes = Objects.requireNonNull(notes, "notes");
      return this;
    }

    /**
     * The immutable report; the builder may be used on.
     *
     * @return a new report
     */
    public RunReport build() {
      return new RunReport(runId, pipeline, trigger, status, startedAt, finishedAt, recordsRead, recordsRejected,
          recordsUnmatched, routingErrors, ruleMatches, destinations, checkpoint, error, resumedAfter, notes);
    }
  }

  /**
   * The report of a run that never read anything: skipped by the overlap policy, cancelled while
   * queued, or unable to start.
   *
   * @param runId the run's id
   * @param pipeline the pipeline's name
   * @param trigger what asked for the run
   * @param status a final status
   * @param at when it was decided; both start and end of the report
   * @param reason why it did not run, reported as {@link #error()}
   * @return the report, with all counters 0
   * @throws IllegalArgumentException when {@code status} is not final
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
   *
   * @param at when the run was found interrupted
   * @param reason why, e.g. the node that ran it stopped sending heartbeats
   * @return a new report
   */
  public RunReport interrupted(Instant at, String reason) {
    return new RunReport(runId, pipeline, trigger, RunStatus.INTERRUPTED, startedAt, at, recordsRead, recordsRejected,
        recordsUnmatched, routingErrors, ruleMatches, destinations, checkpoint, reason, resumedAfter, notes);
  }

  /**
   * The run's id, as in the store's run history.
   *
   * @return the id, never null
   */
  public String runId() {
    return runId;
  }

  /**
   * The pipeline the run belongs to.
   *
   * @return the pipeline's name, never null
   */
  public String pipeline() {
    return pipeline;
  }

  /**
   * What started the run, e.g. {@code api} or {@code cron 0 2 * * *}.
   *
   * @return the trigger's description, never null
   */
  public String trigger() {
    return trigger;
  }

  /**
   * The run's status.
   *
   * @return the status, never null
   */
  public RunStatus status() {
    return status;
  }

  /**
   * Whether the run ended {@link RunStatus#SUCCEEDED}.
   *
   * @return true for a successful run
   */
  public boolean succeeded() {
    return status == RunStatus.SUCCEEDED;
  }

  /**
   * When the run started (or, for a run that never ran, when that was decided).
   *
   * @return the start time, never null
   */
  public Instant startedAt() {
    return startedAt;
  }

  /**
   * Null while running.
   *
   * @return the end time, or null
   */
  public Instant finishedAt() {
    return finishedAt;
  }

  /**
   * How long the run took.
   *
   * @return from start to end; zero while running
   */
  public Duration duration() {
    return finishedAt == null ? Duration.ZERO : Duration.between(startedAt, finishedAt);
  }

  /**
   * Records the connector emitted.
   *
   * @return the count, at least 0
   */
  public long recordsRead() {
    return recordsRead;
  }

  /**
   * Input the connector could not read, kept as dead letters.
   *
   * @return the count, at least 0
   */
  public long recordsRejected() {
    return recordsRejected;
  }

  /**
   * Records no rule matched and no {@code otherwise} route took.
   *
   * @return the count, at least 0
   */
  public long recordsUnmatched() {
    return recordsUnmatched;
  }

  /**
   * Records a condition or transformation failed on.
   *
   * @return the count, at least 0
   */
  public long routingErrors() {
    return routingErrors;
  }

  /**
   * Matches per rule name, in evaluation order.
   *
   * @return an unmodifiable map
   */
  public Map<String, Long> ruleMatches() {
    return ruleMatches;
  }

  /**
   * Counters per destination, in order of first mention in the pipeline.
   *
   * @return an unmodifiable map
   */
  public Map<String, DestinationStats> destinations() {
    return destinations;
  }

  /**
   * Records delivered, summed over destinations.
   *
   * @return the count, at least 0
   */
  public long delivered() {
    return destinations.values().stream().mapToLong(DestinationStats::delivered).sum();
  }

  /**
   * Records dead-lettered, summed over destinations.
   *
   * @return the count, at least 0
   */
  public long deadLettered() {
    return destinations.values().stream().mapToLong(DestinationStats::deadLettered).sum();
  }

  /**
   * Deliveries left undone because the shutdown deadline passed; never checkpointed, so the next
   * run reads them again.
   *
   * @return the count summed over destinations, at least 0
   */
  public long undelivered() {
    return destinations.values().stream().mapToLong(DestinationStats::undelivered).sum();
  }

  /**
   * The last checkpoint committed by this run.
   *
   * @return the checkpoint, or empty when the run committed none
   */
  public Optional<Checkpoint> checkpoint() {
    return Optional.ofNullable(checkpoint);
  }

  /**
   * Why the run failed, or why it did not run (skipped, cancelled while queued).
   *
   * @return the reason, or empty
   */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /**
   * The id of the {@link RunStatus#INTERRUPTED interrupted} run this one picked up after: the run
   * that committed the checkpoint it started from, or, when a cluster node runs a run again after
   * the node running it died, this run's own id.
   *
   * @return the run id, or empty when the run started fresh
   */
  public Optional<String> resumedAfter() {
    return Optional.ofNullable(resumedAfter);
  }

  /**
   * What else a reader of the report should know, in sentences: the interrupted run it resumed, a
   * checkpoint it could not commit because an overlapping run committed first.
   *
   * @return an unmodifiable list, empty when there is nothing to say
   */
  public List<String> notes() {
    return notes;
  }

  /**
   * The report as JSON, as the store and the REST API keep it; {@link #fromJson} reads it back.
   *
   * @return a new JSON object; absent values are left out
   */
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
   * @param n a JSON object written by {@link #toJson()}
   * @return the report
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

  /**
   * A small table for people.
   *
   * @return multi-line text: status, duration, counters, rules and destinations
   */
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
    /**
     * Stats of a run that left nothing undelivered.
     *
     * @param delivered records acknowledged by the destination
     * @param deadLettered records given up on and kept as dead letters
     * @param batches batches cut
     * @param retries delivery attempts after the first
     */
    public DestinationStats(long delivered, long deadLettered, long batches, long retries) {
      this(delivered, deadLettered, batches, retries, 0);
    }
  }
}
