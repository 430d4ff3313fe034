package dev.sluice.schedule;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Starts a run when a signed request arrives at {@link #path()} of the host's {@link
 * WebhookHandler}. The payload becomes the run's parameters; a {@code webhook} source emits its
 * records.
 *
 * <p>Immutable and thread-safe; equal when all settings (including the secret) are equal.
 *
 * @param path where the handler answers, e.g. {@code /hooks/hubspot}; unique across pipelines
 * @param signature how requests are verified
 * @param maxBodyBytes larger bodies are refused with 413 before anything is parsed
 * @param replayWindow how long a delivery is remembered against replays; for schemes that sign a
 *     timestamp at least twice the tolerance (a timestamp may lie one tolerance ahead). Without a
 *     signed timestamp (GitHub) a replay older than the window is accepted again
 * @param replayCapacity how many unexpired deliveries are remembered at most; when reached with
 *     deliveries that still guard against replays, new deliveries are refused with 503 instead of
 *     forgetting one
 */
public record WebhookTrigger(
    String path, WebhookSignature signature, int maxBodyBytes, Duration replayWindow, int replayCapacity)
    implements TriggerDefinition {

  /** The default body limit: 1 MiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  /** The default replay window: 24 hours. */
  public static final Duration DEFAULT_REPLAY_WINDOW = Duration.ofHours(24);
  /** About 15 MB of memory when full in the in-memory cache. */
  public static final int DEFAULT_REPLAY_CAPACITY = 100_000;
  private static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+");

  /**
   * Normalizes the path and validates the settings.
   *
   * @param path where the handler answers, e.g. {@code /hooks/hubspot}; unique across pipelines
   * @param signature how requests are verified
   * @param maxBodyBytes larger bodies are refused with 413 before anything is parsed
   * @param replayWindow how long a delivery is remembered against replays; for schemes that sign a
   *     timestamp at least twice the tolerance (a timestamp may lie one tolerance ahead). Without a
   *     signed timestamp (GitHub) a replay older than the window is accepted again
   * @param replayCapacity how many unexpired deliveries are remembered at most; when reached with
   *     deliveries that still guard against replays, new deliveries are refused with 503 instead of
   *     forgetting one
   * @throws IllegalArgumentException when the path is not an absolute URL path, a limit is under 1,
   *     or the replay window is shorter than twice the signature's tolerance
   * @throws NullPointerException when {@code signature} or {@code replayWindow} is null
   */
  public WebhookTrigger {
    path = normalize(path);
    Objects.requireNonNull(signature, "webhook " + path + ": signature");
    Objects.requireNonNull(replayWindow, "webhook " + path + ": replayWindow");
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("webhook " + path + ": maxBodyBytes must be >= 1, got " + maxBodyBytes);
    }
    if (replayCapacity < 1) {
      throw new IllegalArgumentException("webhook " + path + ": replayCapacity must be >= 1, got " + replayCapacity);
    }
    if (signature.signsTimestamp() && replayWindow.compareTo(signature.tolerance().multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("webhook " + path + ": replayWindow " + replayWindow
          + " must be at least twice the signature tolerance " + signature.tolerance()
          + " (a timestamp may be one tolerance ahead), or a replay inside the tolerance would be accepted");
    }
  }

  /**
   * A webhook with default limits.
   *
   * @param path the absolute path the webhook is answered on, e.g. {@code /hooks/github}
   * @param signature how requests are verified
   * @return the trigger, with {@link #DEFAULT_MAX_BODY_BYTES}, {@link #DEFAULT_REPLAY_WINDOW} and
   *     {@link #DEFAULT_REPLAY_CAPACITY}
   */
  public static WebhookTrigger of(String path, WebhookSignature signature) {
    return new WebhookTrigger(path, signature, DEFAULT_MAX_BODY_BYTES, DEFAULT_REPLAY_WINDOW, DEFAULT_REPLAY_CAPACITY);
  }

  /**
   * A copy with another body limit.
   *
   * @param value the largest body accepted, in bytes; at least 1
   * @return the copy
   */
  public WebhookTrigger withMaxBodyBytes(int value) {
    return new WebhookTrigger(path, signature, value, replayWindow, replayCapacity);
  }

  /**
   * A copy with another replay window.
   *
   * @param value how long deliveries are remembered against replays
   * @param capacity how many unexpired deliveries are remembered at most; at least 1
   * @return the copy
   */
  public WebhookTrigger withReplayWindow(Duration value, int capacity) {
    return new WebhookTrigger(path, signature, maxBodyBytes, value, capacity);
  }

  /**
   * {@code path} without a trailing slash.
   *
   * @param path an absolute path
   * @return the path without a trailing slash
   * @throws IllegalArgumentException when it is not an absolute path of URL-safe segments
   */
  public static String normalize(String path) {
    String p = path == null ? null : path.trim();
    if (p != null && p.length() > 1 && p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p == null || !PATH.matcher(p).matches()) {
      throw new IllegalArgumentException("webhook path must start with '/' and contain URL path segments"
          + " only (no query, no spaces), e.g. /hooks/github; got " + (path == null ? "null" : "'" + path + "'"));
    }
    return p;
  }

  @Override
  public String describe() {
    return "webhook " + path;
  }
}
