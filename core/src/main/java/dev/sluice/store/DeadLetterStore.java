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
   * Replaces the stored dead letter with the same id, e.g. with {@link DeadLetter#failedAgain}
   * after a replay failed again.
   *
   * <p>Implementations should update in place and keep the id. The default, for stores written
   * before this method existed, deletes and re-adds it, so the dead letter gets a new id.
   *
   * @return the stored dead letter (with its id), or empty when none has that id any more
   */
  default Optional<DeadLetter> update(DeadLetter deadLetter) {
    if (!delete(deadLetter.id())) {
      return Optional.empty();
    }
    return Optional.of(add(deadLetter));
  }

  /** Removes one (after a successful replay, or on purge). @return whether it existed */
  boolean delete(long id);

  /** Removes every match (the limit is ignored). @return how many were removed */
  long purge(DeadLetterQuery query);
}
