package dev.sluice.store;

import java.util.List;
import java.util.Optional;

/**
 * Records parked because they could not be delivered, with the reason; they stay until replayed
 * or purged.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public interface DeadLetterStore {

  /**
   * Stores a dead letter.
   *
   * @param deadLetter its {@code id} is ignored
   * @return the stored dead letter with its new id
   */
  DeadLetter add(DeadLetter deadLetter);

  Optional<DeadLetter> find(long id);

  /** Matching dead letters in id order, at most {@code query.limit()}. */
  List<DeadLetter> list(DeadLetterQuery query);

  /** How many match (the limit is ignored). */
  long count(DeadLetterQuery query);

  /**
   * Replaces the stored dead letter with the same id, in place: the id stays. Used after a replay
   * failed again ({@link DeadLetter#failedAgain}).
   *
   * @return the stored dead letter, or empty when none has that id (replayed or purged meanwhile)
   */
  Optional<DeadLetter> update(DeadLetter deadLetter);

  /** Removes one (after a successful replay, or on purge). @return whether it existed */
  boolean delete(long id);

  /** Removes every match (the limit is ignored). @return how many were removed */
  long purge(DeadLetterQuery query);
}
