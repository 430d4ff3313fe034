package dev.sluice.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A record that could not be delivered (or input that could not be read), kept with the reason.
 *
 * @param id assigned by the store, increasing; 0 before it was stored
 * @param pipeline never null
 * @param destination the destination that refused it; {@link #SOURCE} for input the connector
 *     rejected, {@link #ROUTER} for records a rule failed on; never null
 * @param runId the run that parked it, never null
 * @param recordKey the record's key, or the input's location for rejected input; never null
 * @param record the record as it was handed to the destination ({@code RecordCodec} form), or
 *     {@code {"raw": "..."}} for rejected input; never null
 * @param original the record as the connector emitted it, before transformations; null when it is
 *     the same as {@code record}
 * @param reason the last error, never null
 * @param attempts delivery attempts made
 * @param firstFailedAt never null
 * @param lastFailedAt never null
 */
public record DeadLetter(
    long id,
    String pipeline,
    String destination,
    String runId,
    String recordKey,
    ObjectNode record,
    ObjectNode original,
    String reason,
    int attempts,
    Instant firstFailedAt,
    Instant lastFailedAt) {

  /** The pseudo-destination of input a connector could not turn into records. */
  public static final String SOURCE = "$source";

  /** The pseudo-destination of records whose routing failed (condition or transform error). */
  public static final String ROUTER = "$router";

  /**
   * Checks the required components and copies the JSON.
   *
   * @param id assigned by the store; 0 before it was stored
   * @param pipeline never null
   * @param destination the destination that refused it, never null
   * @param runId the run that parked it, never null
   * @param recordKey never null
   * @param record the record as handed to the destination, never null
   * @param original the record as the connector emitted it, or null when the same as {@code record}
   * @param reason the last error, never null
   * @param attempts delivery attempts made
   * @param firstFailedAt never null
   * @param lastFailedAt never null
   * @throws NullPointerException when a required component is null
   */
  public DeadLetter {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(recordKey, "recordKey");
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(firstFailedAt, "firstFailedAt");
    Objects.requireNonNull(lastFailedAt, "lastFailedAt");
    record = record.deepCopy();
    original = original == null ? null : original.deepCopy();
  }

  /**
   * This dead letter after {@code moreAttempts} further failed deliveries (a replay): the new
   * reason, the attempts added up, failed last at {@code at}; same id.
   *
   * @param newReason the error of the replay
   * @param moreAttempts attempts the replay made
   * @param at when the replay failed
   * @return the updated dead letter
   */
  public DeadLetter failedAgain(String newReason, int moreAttempts, Instant at) {
    return new DeadLetter(
        id, pipeline, destination, runId, recordKey, record, original, newReason,
        attempts + moreAttempts, firstFailedAt, at);
  }

  /**
   * This dead letter with the id the store assigned.
   *
   * @param newId the id
   * @return a copy with that id
   */
  public DeadLetter withId(long newId) {
    return new DeadLetter(
        newId, pipeline, destination, runId, recordKey, record, original, reason, attempts,
        firstFailedAt, lastFailedAt);
  }
}
