package dev.sluice.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Outcome of {@link Destination#deliver}: every record delivered, or some records failed.
 *
 * <p>Immutable. Records not listed in {@link #failures()} count as delivered.
 */
public final class DeliveryResult {
  private static final DeliveryResult SUCCESS = new DeliveryResult(Map.of());

  private final Map<Integer, RecordFailure> failures;

  private DeliveryResult(Map<Integer, RecordFailure> failures) {
    this.failures = failures;
  }

  /**
   * All records delivered.
   *
   * @return the shared success result
   */
  public static DeliveryResult success() {
    return SUCCESS;
  }

  /**
   * Some records failed.
   *
   * @param failures by index in the batch; an empty map means success
   * @return the result; {@link #success()} for an empty map
   * @throws NullPointerException when a failure is null
   */
  public static DeliveryResult partial(Map<Integer, RecordFailure> failures) {
    if (failures.isEmpty()) {
      return SUCCESS;
    }
    failures.forEach((i, f) -> Objects.requireNonNull(f, "failure of record " + i));
    return new DeliveryResult(Collections.unmodifiableMap(new TreeMap<>(failures)));
  }

  /**
   * Whether every record was delivered.
   *
   * @return true when there are no failures
   */
  public boolean isSuccess() {
    return failures.isEmpty();
  }

  /**
   * Failed records by batch index, in index order; empty on success.
   *
   * @return an unmodifiable map
   */
  public Map<Integer, RecordFailure> failures() {
    return failures;
  }

  @Override
  public String toString() {
    return isSuccess() ? "DeliveryResult{success}" : "DeliveryResult{failures=" + failures + "}";
  }

  /**
   * Why one record was not delivered.
   *
   * @param reason what the destination said, never null
   * @param retryable whether a later attempt may succeed
   * @param retryAfter how long the remote side asked to wait, or null
   */
  public record RecordFailure(String reason, boolean retryable, Duration retryAfter) {
    /**
     * Checks the reason.
     *
     * @param reason what the destination said, never null
     * @param retryable whether a later attempt may succeed
     * @param retryAfter how long the remote side asked to wait, or null
     * @throws NullPointerException when {@code reason} is null
     */
    public RecordFailure {
      Objects.requireNonNull(reason, "reason");
    }

    /**
     * A failure a later attempt may fix.
     *
     * @param reason what the destination said
     * @return the failure
     */
    public static RecordFailure retryable(String reason) {
      return new RecordFailure(reason, true, null);
    }

    /**
     * A failure a later attempt won't fix: the record is dead-lettered.
     *
     * @param reason what the destination said
     * @return the failure
     */
    public static RecordFailure permanent(String reason) {
      return new RecordFailure(reason, false, null);
    }

    /**
     * The wait the remote side asked for.
     *
     * @return {@link #retryAfter()} as an optional
     */
    public Optional<Duration> retryAfterHint() {
      return Optional.ofNullable(retryAfter);
    }
  }
}
