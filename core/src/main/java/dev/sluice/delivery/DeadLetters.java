package dev.sluice.delivery;

import dev.sluice.delivery.ReplayReport;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import java.util.List;
import java.util.Optional;

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
 * <p>Routing failures ({@link DeadLetter#ROUTER}: a condition or transformation failed, or no rule
 * matched under {@code unmatched: dead-letter}) are replayed through the pipeline's <em>current</em>
 * rules, i.e. the rules of this Sluice instance (after the rule was fixed): the stored record as
 * read is routed again, all or nothing, and the results are delivered to their destinations like
 * a run would; a result that fails there becomes a dead letter of that destination (with the
 * original record). The routing dead letter is deleted once every result was delivered or parked.
 * A record whose routing fails again stays, with the new reason; one that now matches no rule is
 * settled by the pipeline's unmatched policy (kept with the reason "no rule matched" under {@code
 * dead-letter}, deleted under {@code drop}).
 *
 * <p>Not replayable, and left as they are: rejected input ({@link DeadLetter#SOURCE}: fix the
 * source), routing failures of pipelines this instance does not define, and dead letters of
 * destinations this instance does not define.
 *
 * <p>Made by Sluice; hosts call it and never implement it. Thread-safe. Replays run on the calling
 * thread and wait for retries like a run does.
 */
public interface DeadLetters {
  /**
   * Matching dead letters in id order, at most {@code query.limit()}. Never null.
   *
   * @param query what to select
   * @return the dead letters, never null
   */
  List<DeadLetter> list(DeadLetterQuery query);

  /**
   * The dead letter with {@code id}; empty when there is none.
   *
   * @param id the dead letter's id
   * @return the dead letter, or empty
   */
  Optional<DeadLetter> find(long id);

  /**
   * How many dead letters match (the limit is ignored).
   *
   * @param query what to count
   * @return the number of matching dead letters
   */
  long count(DeadLetterQuery query);

  /**
   * Replays the matching dead letters (at most {@code query.limit()}): {@link DeadLetterQuery#all()}
   * for all, {@code DeadLetterQuery.of(null, "warehouse")} for one destination's.
   *
   * @param query what to replay
   * @return what the replay did
   * @throws InterruptedException when interrupted; what was replayed so far stays replayed
   */
  ReplayReport replay(DeadLetterQuery query) throws InterruptedException;

  /**
   * Replays one dead letter.
   *
   * @param id the dead letter's id
   * @return what the replay did
   * @throws UnknownDeadLetterException when there is none with that id
   * @throws InterruptedException when interrupted
   */
  ReplayReport replay(long id) throws InterruptedException;

  /**
   * Deletes the matching dead letters (the limit is ignored).
   *
   * @param query what to delete
   * @return how many were deleted
   */
  long purge(DeadLetterQuery query);

  /**
   * Deletes one dead letter.
   *
   * @param id the dead letter's id
   * @return whether it existed
   */
  boolean purge(long id);
}
