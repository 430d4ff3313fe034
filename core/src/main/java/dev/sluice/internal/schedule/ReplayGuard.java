package dev.sluice.internal.schedule;

import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.store.ReplayCache;
import dev.sluice.store.ReplayCache.Reservation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The replay memory of one webhook endpoint, on a {@link ReplayCache} (the store's, shared by a
 * cluster, or this process's). Keys are kept as SHA-256 hashes, so nothing of a payload is stored.
 *
 * <p>How long an entry lives: the trigger's {@code replayWindow}. How long it must live even when
 * the cache is full: as long as a replay could still pass the signature check, that is twice the
 * tolerance for schemes that sign a timestamp (a timestamp may be up to one tolerance ahead of
 * now, and stays acceptable for one tolerance after that), and the whole window for schemes that
 * don't (GitHub).
 *
 * <p>Thread-safe when the cache is.
 */
final class ReplayGuard {
  /** Longest scope a {@link ReplayCache} accepts. */
  private static final int MAX_SCOPE = 200;

  private final ReplayCache cache;
  private final String scope;
  private final Duration window;
  private final Duration protection;
  private final int capacity;
  private final Clock clock;

  ReplayGuard(ReplayCache cache, WebhookTrigger trigger, Clock clock) {
    this.cache = cache;
    this.scope = trigger.path().length() <= MAX_SCOPE ? trigger.path() : "sha256:" + hash(trigger.path());
    this.window = trigger.replayWindow();
    Duration twiceTolerance = trigger.signature().tolerance().multipliedBy(2);
    this.protection = trigger.signature().replaysExpireWithTolerance() && twiceTolerance.compareTo(window) < 0
        ? twiceTolerance : window;
    this.capacity = trigger.replayCapacity();
    this.clock = clock;
  }

  /**
   * Remembers every key, or none: on a duplicate or a full cache the keys already reserved by
   * this call are released again.
   *
   * @return {@link Reservation#RESERVED} when no key was remembered (the delivery is new)
   * @throws RuntimeException when the cache fails
   */
  Reservation reserve(List<String> keys) {
    Instant now = clock.instant();
    List<String> reserved = new ArrayList<>(keys.size());
    for (String key : keys) {
      String hashed = hash(key);
      Reservation r;
      try {
        r = cache.reserve(scope, hashed, now, now.plus(window), now.plus(protection), capacity);
      } catch (RuntimeException e) {
        releaseHashed(reserved);
        throw e;
      }
      if (r != Reservation.RESERVED) {
        releaseHashed(reserved);
        return r;
      }
      reserved.add(hashed);
    }
    return Reservation.RESERVED;
  }

  /** Forgets {@code keys}, so that a retry of a delivery that was not processed is accepted. */
  void release(List<String> keys) {
    releaseHashed(keys.stream().map(ReplayGuard::hash).toList());
  }

  private void releaseHashed(List<String> hashed) {
    for (String h : hashed) {
      cache.release(scope, h);
    }
  }

  private static String hash(String id) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
