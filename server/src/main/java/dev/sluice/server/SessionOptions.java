package dev.sluice.server;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The dashboard's cookie sessions: how passwords are checked (if at all), how long a session lives, and how
 * many failed logins a client address may make. Set with {@link ServerOptions.Builder#sessions}.
 *
 * <p>Sessions are kept in the server's memory (a restart logs everybody out). The cookie {@code
 * sluice_session} is {@code HttpOnly}, {@code SameSite=Strict}, {@code Path=/}, and {@code Secure}
 * when the request came over TLS or {@link #secureCookie()} is set (behind a TLS-terminating
 * proxy). State-changing requests authenticated by the cookie must carry the session's CSRF token
 * in {@code X-CSRF-Token}.
 *
 * <p>Defaults: 30 minutes idle, 12 hours absolute, 10 failed logins per client address per minute,
 * the system UTC clock. Immutable and thread-safe.
 */
public final class SessionOptions {
  private final PasswordLogin passwordLogin;
  private final Clock clock;
  private final Duration idleTimeout;
  private final Duration absoluteTimeout;
  private final int maxLoginFailures;
  private final Duration failureWindow;
  private final boolean secureCookie;

  private SessionOptions(Builder b) {
    this.passwordLogin = b.passwordLogin;
    this.clock = b.clock;
    this.idleTimeout = b.idleTimeout;
    this.absoluteTimeout = b.absoluteTimeout;
    this.maxLoginFailures = b.maxLoginFailures;
    this.failureWindow = b.failureWindow;
    this.secureCookie = b.secureCookie;
  }

  /**
   * A builder checking passwords with {@code passwordLogin}.
   *
   * @param passwordLogin checks usernames and passwords
   * @return a builder with the defaults
   * @throws NullPointerException when it is null
   */
  public static Builder builder(PasswordLogin passwordLogin) {
    return new Builder(Objects.requireNonNull(passwordLogin, "passwordLogin"));
  }

  /**
   * A builder for sessions opened only by browser logins ({@link ServerOptions.Builder#browserLogin}):
   * {@code POST /api/v1/session} answers 501.
   *
   * @return a builder with the defaults and no password login
   */
  public static Builder builder() {
    return new Builder(null);
  }

  /**
   * Checks usernames and passwords.
   *
   * @return the password login; empty when sessions are opened only by browser logins
   */
  public java.util.Optional<PasswordLogin> passwordLogin() {
    return java.util.Optional.ofNullable(passwordLogin);
  }

  /**
   * The clock expiry and rate limiting read.
   *
   * @return the clock, never null
   */
  public Clock clock() {
    return clock;
  }

  /**
   * A session unused this long ends.
   *
   * @return the idle timeout, positive
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * A session ends this long after login, used or not.
   *
   * @return the absolute timeout, positive
   */
  public Duration absoluteTimeout() {
    return absoluteTimeout;
  }

  /**
   * Failed logins a client address may make within {@link #failureWindow()} before 429.
   *
   * @return at least 1
   */
  public int maxLoginFailures() {
    return maxLoginFailures;
  }

  /**
   * The window failed logins are counted in.
   *
   * @return the window, positive
   */
  public Duration failureWindow() {
    return failureWindow;
  }

  /**
   * Whether the cookie is always {@code Secure}, also on plain-HTTP requests (TLS ends at a proxy).
   *
   * @return true to always mark the cookie {@code Secure}
   */
  public boolean secureCookie() {
    return secureCookie;
  }

  /** Collects session options; not thread-safe. */
  public static final class Builder {
    private final PasswordLogin passwordLogin;
    private Clock clock = Clock.systemUTC();
    private Duration idleTimeout = Duration.ofMinutes(30);
    private Duration absoluteTimeout = Duration.ofHours(12);
    private int maxLoginFailures = 10;
    private Duration failureWindow = Duration.ofMinutes(1);
    private boolean secureCookie;

    private Builder(PasswordLogin passwordLogin) {
      this.passwordLogin = passwordLogin;
    }

    /**
     * The clock for expiry and rate limiting (tests pass a controllable one).
     *
     * @param value the clock
     * @return this builder
     * @throws NullPointerException when {@code value} is null
     */
    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    /**
     * A session unused this long ends.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public Builder idleTimeout(Duration value) {
      this.idleTimeout = positive(value, "idleTimeout");
      return this;
    }

    /**
     * A session ends this long after login.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public Builder absoluteTimeout(Duration value) {
      this.absoluteTimeout = positive(value, "absoluteTimeout");
      return this;
    }

    /**
     * Failed logins allowed per client address within {@code window}; more get 429 with
     * Retry-After until the oldest failure leaves the window.
     *
     * @param maxFailures at least 1
     * @param window positive
     * @return this builder
     * @throws IllegalArgumentException when a value is out of range
     */
    public Builder loginRateLimit(int maxFailures, Duration window) {
      if (maxFailures < 1) {
        throw new IllegalArgumentException("maxFailures must be at least 1, got " + maxFailures);
      }
      this.maxLoginFailures = maxFailures;
      this.failureWindow = positive(window, "window");
      return this;
    }

    /**
     * Always mark the cookie {@code Secure} (set when TLS ends at a proxy in front of the server).
     *
     * @param value true to always mark it
     * @return this builder
     */
    public Builder secureCookie(boolean value) {
      this.secureCookie = value;
      return this;
    }

    /**
     * The options.
     *
     * @return the immutable options
     */
    public SessionOptions build() {
      return new SessionOptions(this);
    }

    private static Duration positive(Duration value, String what) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + value);
      }
      return value;
    }
  }
}
