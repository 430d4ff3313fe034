package dev.sluice.store;

import java.time.Instant;

/**
 * A log of notifications already sent, so that destinations whose remote side is not idempotent
 * (Slack, email) do not notify twice when the same record arrives again: a retry after a timeout, a
 * dead-letter replay, a re-read after a crash.
 *
 * <p>How a destination uses it: <b>check, send, record</b>. It skips what {@link #contains} knows,
 * sends the rest, and {@link #record}s each key only after the remote side accepted it. So nothing is
 * ever lost by the log, and the one window left is a crash (or a lost connection) after the remote
 * side accepted a notification and before its key was recorded: that notification is sent again
 * once, on the next attempt.
 *
 * <p>Entries are kept until their {@code expiresAt} (the destination's retention window) and then
 * removed by {@link #purgeExpired}; an expired entry not yet purged still counts as present.
 *
 * <p>Keys are opaque strings chosen by the destination (hashes: never put record content in them);
 * a scope (usually the destination's name) keeps destinations apart. Both are at most {@value
 * #MAX_LENGTH} characters.
 *
 * <p>Thread-safety: implementations are safe for concurrent use; two store instances on the same
 * data see each other's entries. Nullability: no argument may be null.
 */
public interface SentLog {
  /** The longest scope or key accepted. */
  int MAX_LENGTH = 200;

  /**
   * Whether {@code key} was recorded in {@code scope} and not purged since.
   *
   * @param scope the scope, e.g. the destination's name
   * @param key the notification's key
   * @return whether it is present
   */
  boolean contains(String scope, String key);

  /**
   * Remembers {@code key} in {@code scope} until {@code expiresAt}. Recording a key already present
   * moves its expiry to the later of the two and is not an error.
   *
   * @param scope the scope, e.g. the destination's name
   * @param key the notification's key
   * @param expiresAt until when to keep it
   * @throws IllegalArgumentException when the scope or the key is empty or longer than {@value
   *     #MAX_LENGTH} characters
   */
  void record(String scope, String key, Instant expiresAt);

  /**
   * Forgets every entry (of every scope) whose expiry is at or before {@code now}.
   *
   * @param now the caller's clock
   * @return how many entries were removed
   */
  int purgeExpired(Instant now);

  /**
   * Checks a scope or key against the limits; implementations call it before storing.
   *
   * @param value the scope or key
   * @param what what it is, for the message ({@code "scope"}, {@code "key"})
   * @return {@code value}
   * @throws NullPointerException when {@code value} is null
   * @throws IllegalArgumentException when it is empty or longer than {@value #MAX_LENGTH}
   *     characters
   */
  static String checkArgument(String value, String what) {
    if (value == null) {
      throw new NullPointerException(what);
    }
    if (value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "sent-log " + what + " must have 1 to " + MAX_LENGTH + " characters, got " + value.length());
    }
    return value;
  }
}
