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

  /**
   * The dead letter with this id.
   *
   * @param id the id
   * @return the dead letter, or empty when none has that id
   */
  Optional<DeadLetter> find(long id);

  /**
   * Matching dead letters in id order, at most {@code query.limit()}.
   *
   * @param query which ones
   * @return the matches, never null
   */
  List<DeadLetter> list(DeadLetterQuery query);

  /**
   * How many match (the limit is ignored).
   *
   * @param query which ones
   * @return the count
   */
  long count(DeadLetterQuery query);

  /**
   * Replaces the stored dead letter with the same id, in place: the id stays. Used after a replay
   * failed again ({@link DeadLetter#failedAgain}).
   *
   * @param deadLetter the new state; its id names the one replaced
   * @return the stored dead letter, or empty when none has that id (replayed or purged meanwhile)
   */
  Optional<DeadLetter> update(DeadLetter deadLetter);

  /**
   * Removes one (after a successful replay, or on purge).
   *
   * @param id the id
   * @return whether it existed
   */
  boolean delete(long id);

  /**
   * Removes every match (the limit is ignored).
   *
   * @param query which ones
   * @return how many were removed
   */
  long purge(DeadLetterQuery query);
}
