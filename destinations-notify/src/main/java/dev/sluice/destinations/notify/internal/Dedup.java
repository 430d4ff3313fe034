package dev.sluice.destinations.notify.internal;

import dev.sluice.record.Batch;
import dev.sluice.spi.DeliveryException;
import dev.sluice.store.SentLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;

/**
 * The guard against notifying twice: <b>check, send, record</b> against the store's {@link SentLog}.
 *
 * <p>A key identifies one notification to one target: pipeline, record key, record content and the
 * target (a channel, an email recipient), hashed (SHA-256, hex), so the log holds nothing of the
 * payload. A changed record (same key, new content) is a new notification; the same record
 * delivered again (retry, replay, re-read after a crash) is not.
 *
 * <p>The window left: a crash or a lost connection after the remote side accepted a notification
 * and before {@link #recordSent} stored its key sends that one notification again on the next
 * attempt. Nothing is ever skipped that was not accepted. Thread-safe. Not API.
 */
public final class Dedup {
  private static final Duration PURGE_EVERY = Duration.ofHours(1);

  private final SentLog log;
  private final String scope;
  private final Duration retention;
  private final Clock clock;
  private final AtomicReference<Instant> lastPurge = new AtomicReference<>(Instant.MIN);

  private Dedup(SentLog log, String scope, Duration retention, Clock clock) {
    this.log = log;
    this.scope = scope;
    this.retention = retention;
    this.clock = clock;
  }

  /** No de-duplication: every delivery sends. */
  public static Dedup off() {
    return new Dedup(null, null, null, null);
  }

  /** De-duplication in {@code log}, scope {@code destination}, entries kept for {@code retention}. */
  public static Dedup on(SentLog log, String destination, Duration retention, Clock clock) {
    String scope = destination.length() <= SentLog.MAX_LENGTH ? destination : "sha256:" + sha256(destination);
    return new Dedup(log, scope, retention, clock);
  }

  public boolean enabled() {
    return log != null;
  }

  /** The key of the notification of record {@code index} to {@code target}. */
  public static String key(Batch batch, int index, String target) {
    return sha256(batch.pipeline() + '\u0000' + batch.get(index).key() + '\u0000' + batch.get(index).data()
        + '\u0000' + target);
  }

  /**
   * Whether the notification was sent already.
   *
   * @throws DeliveryException retryable, when the store can't be read: sending blind could notify twice
   */
  public boolean alreadySent(String key) {
    if (log == null) {
      return false;
    }
    try {
      return log.contains(scope, key);
    } catch (RuntimeException e) {
      throw DeliveryException.retryable("could not read the sent-log of the store (" + e.getClass().getSimpleName()
          + "): nothing was sent", e);
    }
  }

  /**
   * Stores that the notification was accepted. A failure is logged, not thrown: the notification
   * went out, and failing the record would send it again for sure.
   */
  public void recordSent(String key, Logger logger) {
    if (log == null) {
      return;
    }
    Instant now = clock.instant();
    try {
      log.record(scope, key, now.plus(retention));
    } catch (RuntimeException e) {
      logger.warn("a notification was sent but the sent-log could not record it ({}); a replay of that record"
          + " would send it again", e.toString());
    }
  }

  /** Forgets expired entries, at most once an hour; failures are logged. */
  public void purgeNowAndThen(Logger logger) {
    if (log == null) {
      return;
    }
    Instant now = clock.instant();
    Instant last = lastPurge.get();
    if (last.plus(PURGE_EVERY).isAfter(now) || !lastPurge.compareAndSet(last, now)) {
      return;
    }
    try {
      log.purgeExpired(now);
    } catch (RuntimeException e) {
      logger.warn("could not purge expired sent-log entries: {}", e.toString());
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
