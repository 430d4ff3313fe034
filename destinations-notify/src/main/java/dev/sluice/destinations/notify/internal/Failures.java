package dev.sluice.destinations.notify.internal;

import dev.sluice.spi.DeliveryResult.RecordFailure;
import java.util.Map;

/** Merging the failures of one record over several sends (targets, recipients). Not API. */
public final class Failures {
  private Failures() {}

  /**
   * Adds {@code failure} for record {@code index}: a retryable failure wins over a permanent one (the
   * retry sends only what was not accepted yet), reasons are joined.
   */
  public static void add(Map<Integer, RecordFailure> failures, int index, RecordFailure failure) {
    failures.merge(index, failure, (a, b) -> {
      boolean retryable = a.retryable() || b.retryable();
      java.time.Duration after = a.retryAfter() == null ? b.retryAfter()
          : b.retryAfter() == null ? a.retryAfter() : (a.retryAfter().compareTo(b.retryAfter()) > 0 ? a.retryAfter()
              : b.retryAfter());
      String reason = a.reason().equals(b.reason()) ? a.reason() : Texts.cut(a.reason() + "; " + b.reason(), 4000);
      return new RecordFailure(reason, retryable, after);
    });
  }
}
