package dev.sluice.store;

/**
 * Which dead letters to list or purge. Null fields match everything.
 *
 * @param pipeline only this pipeline's, or null
 * @param destination only this destination's, or null
 * @param afterId only ids greater than this (for paging), 0 for all
 * @param limit at most this many (list only), at least 1
 */
public record DeadLetterQuery(String pipeline, String destination, long afterId, int limit) {
  /**
   * The page size used when a caller names none.
   */
  public static final int DEFAULT_LIMIT = 100;

  /**
   * Checks the limit.
   *
   * @param pipeline only this pipeline's, or null
   * @param destination only this destination's, or null
   * @param afterId only ids greater than this, 0 for all
   * @param limit at least 1
   * @throws IllegalArgumentException when {@code limit} is below 1
   */
  public DeadLetterQuery {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
  }

  /**
   * Every dead letter.
   *
   * @return a query matching everything, without limit
   */
  public static DeadLetterQuery all() {
    return new DeadLetterQuery(null, null, 0, Integer.MAX_VALUE);
  }

  /**
   * Dead letters of one pipeline and/or destination, without limit.
   *
   * @param pipeline only this pipeline's, or null for every pipeline
   * @param destination only this destination's, or null for every destination
   * @return the query
   */
  public static DeadLetterQuery of(String pipeline, String destination) {
    return new DeadLetterQuery(pipeline, destination, 0, Integer.MAX_VALUE);
  }

  /**
   * This query with another limit.
   *
   * @param newLimit at least 1
   * @return the new query
   */
  public DeadLetterQuery withLimit(int newLimit) {
    return new DeadLetterQuery(pipeline, destination, afterId, newLimit);
  }

  /**
   * This query, from the dead letter after {@code id} on (the next page).
   *
   * @param id the last id already seen
   * @return the new query
   */
  public DeadLetterQuery after(long id) {
    return new DeadLetterQuery(pipeline, destination, id, limit);
  }

  /**
   * Whether a dead letter matches pipeline, destination and id; the limit is not considered.
   *
   * @param d the dead letter, never null
   * @return whether it matches
   */
  public boolean matches(DeadLetter d) {
    return (pipeline == null || pipeline.equals(d.pipeline()))
        && (destination == null || destination.equals(d.destination()))
        && d.id() > afterId;
  }
}
