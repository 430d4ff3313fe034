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
  public static final int DEFAULT_LIMIT = 100;

  public DeadLetterQuery {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
  }

  public static DeadLetterQuery all() {
    return new DeadLetterQuery(null, null, 0, Integer.MAX_VALUE);
  }

  public static DeadLetterQuery of(String pipeline, String destination) {
    return new DeadLetterQuery(pipeline, destination, 0, Integer.MAX_VALUE);
  }

  public DeadLetterQuery withLimit(int newLimit) {
    return new DeadLetterQuery(pipeline, destination, afterId, newLimit);
  }

  public DeadLetterQuery after(long id) {
    return new DeadLetterQuery(pipeline, destination, id, limit);
  }

  public boolean matches(DeadLetter d) {
    return (pipeline == null || pipeline.equals(d.pipeline()))
        && (destination == null || destination.equals(d.destination()))
        && d.id() > afterId;
  }
}
