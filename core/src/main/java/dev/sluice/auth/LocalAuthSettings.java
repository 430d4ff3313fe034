package dev.sluice.auth;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LocalAuth} issues tokens and throttles logins. {@link #defaults()} suits most
 * installations; change single values with {@link #toBuilder()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class LocalAuthSettings {
  private final String issuer;
  private final String audience;
  private final Duration accessTokenTtl;
  private final Duration refreshTokenTtl;
  private final Duration signingKeyLifetime;
  private final Duration clockSkew;
  private final int maxTokenLength;
  private final int maxFailuresPerUser;
  private final int maxFailuresPerAddress;
  private final Duration failureWindow;
  private final Duration lockoutDuration;

  private LocalAuthSettings(Builder b) {
    this.issuer = b.issuer;
    this.audience = b.audience;
    this.accessTokenTtl = b.accessTokenTtl;
    this.refreshTokenTtl = b.refreshTokenTtl;
    this.signingKeyLifetime = b.signingKeyLifetime;
    this.clockSkew = b.clockSkew;
    this.maxTokenLength = b.maxTokenLength;
    this.maxFailuresPerUser = b.maxFailuresPerUser;
    this.maxFailuresPerAddress = b.maxFailuresPerAddress;
    this.failureWindow = b.failureWindow;
    this.lockoutDuration = b.lockoutDuration;
  }

  /**
   * Issuer {@code sluice}, audience {@code sluice-api}, access tokens for 10 minutes, refresh
   * tokens for 14 days, a new signing key every 30 days, 30 seconds of clock skew, tokens of at
   * most 8 KiB; 5 failed logins of one user or 20 from one address within 15 minutes lock it for 15
   * minutes.
   *
   * @return the default settings
   */
  public static LocalAuthSettings defaults() {
    return new Builder().build();
  }

  /**
   * A builder starting from the {@link #defaults()}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding these values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.issuer = issuer;
    b.audience = audience;
    b.accessTokenTtl = accessTokenTtl;
    b.refreshTokenTtl = refreshTokenTtl;
    b.signingKeyLifetime = signingKeyLifetime;
    b.clockSkew = clockSkew;
    b.maxTokenLength = maxTokenLength;
    b.maxFailuresPerUser = maxFailuresPerUser;
    b.maxFailuresPerAddress = maxFailuresPerAddress;
    b.failureWindow = failureWindow;
    b.lockoutDuration = lockoutDuration;
    return b;
  }

  /**
   * The {@code iss} of local access tokens.
   *
   * @return the issuer
   */
  public String issuer() {
    return issuer;
  }

  /**
   * The {@code aud} of local access tokens.
   *
   * @return the audience
   */
  public String audience() {
    return audience;
  }

  /**
   * How long an access token is valid after it was issued.
   *
   * @return the lifetime, 10 seconds to 24 hours
   */
  public Duration accessTokenTtl() {
    return accessTokenTtl;
  }

  /**
   * How long a refresh token is valid after it was issued.
   *
   * @return the lifetime, 1 minute to 365 days
   */
  public Duration refreshTokenTtl() {
    return refreshTokenTtl;
  }

  /**
   * How long a signing key signs before a new one takes over.
   *
   * @return the lifetime, 1 minute to 3650 days
   */
  public Duration signingKeyLifetime() {
    return signingKeyLifetime;
  }

  /**
   * Leeway on {@code exp}, {@code nbf} and {@code iat}.
   *
   * @return the skew, 0 to 5 minutes
   */
  public Duration clockSkew() {
    return clockSkew;
  }

  /**
   * Longer tokens are refused before they are parsed.
   *
   * @return the limit in characters, 512 to 65536
   */
  public int maxTokenLength() {
    return maxTokenLength;
  }

  /**
   * Failed logins of one user within {@link #failureWindow()} that lock the user out.
   *
   * @return the limit, 1 to 10000
   */
  public int maxFailuresPerUser() {
    return maxFailuresPerUser;
  }

  /**
   * Failed logins from one client address within {@link #failureWindow()} that lock the address
   * out.
   *
   * @return the limit, 1 to 10000
   */
  public int maxFailuresPerAddress() {
    return maxFailuresPerAddress;
  }

  /**
   * Failures older than this no longer count.
   *
   * @return the window, 1 second to 1 day
   */
  public Duration failureWindow() {
    return failureWindow;
  }

  /**
   * How long a user or address stays locked after too many failures (unless an admin unlocks).
   *
   * @return the duration, 1 second to 1 day
   */
  public Duration lockoutDuration() {
    return lockoutDuration;
  }

  /** Builds {@link LocalAuthSettings}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private String issuer = "sluice";
    private String audience = "sluice-api";
    private Duration accessTokenTtl = Duration.ofMinutes(10);
    private Duration refreshTokenTtl = Duration.ofDays(14);
    private Duration signingKeyLifetime = Duration.ofDays(30);
    private Duration clockSkew = Duration.ofSeconds(30);
    private int maxTokenLength = 8192;
    private int maxFailuresPerUser = 5;
    private int maxFailuresPerAddress = 20;
    private Duration failureWindow = Duration.ofMinutes(15);
    private Duration lockoutDuration = Duration.ofMinutes(15);

    private Builder() {}

    /**
     * Sets {@link LocalAuthSettings#issuer()}.
     *
     * @param issuer 1-200 characters, not blank
     * @return this builder
     * @throws IllegalArgumentException when it is null, blank or longer than 200 characters
     */
    public Builder issuer(String issuer) {
      this.issuer = text(issuer, "issuer");
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#audience()}.
     *
     * @param audience 1-200 characters, not blank
     * @return this builder
     * @throws IllegalArgumentException when it is null, blank or longer than 200 characters
     */
    public Builder audience(String audience) {
      this.audience = text(audience, "audience");
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#accessTokenTtl()}.
     *
     * @param ttl 10 seconds to 24 hours
     * @return this builder
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder accessTokenTtl(Duration ttl) {
      this.accessTokenTtl = between(ttl, "accessTokenTtl", Duration.ofSeconds(10), Duration.ofHours(24));
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#refreshTokenTtl()}.
     *
     * @param ttl 1 minute to 365 days
     * @return this builder
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder refreshTokenTtl(Duration ttl) {
      this.refreshTokenTtl = between(ttl, "refreshTokenTtl", Duration.ofMinutes(1), Duration.ofDays(365));
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#signingKeyLifetime()}.
     *
     * @param lifetime 1 minute to 3650 days
     * @return this builder
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder signingKeyLifetime(Duration lifetime) {
      this.signingKeyLifetime = between(lifetime, "signingKeyLifetime", Duration.ofMinutes(1), Duration.ofDays(3650));
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#clockSkew()}.
     *
     * @param skew 0 to 5 minutes
     * @return this builder
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder clockSkew(Duration skew) {
      this.clockSkew = between(skew, "clockSkew", Duration.ZERO, Duration.ofMinutes(5));
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#maxTokenLength()}.
     *
     * @param length 512 to 65536 characters
     * @return this builder
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder maxTokenLength(int length) {
      if (length < 512 || length > 65536) {
        throw new IllegalArgumentException("maxTokenLength must be 512 to 65536, got " + length);
      }
      this.maxTokenLength = length;
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#maxFailuresPerUser()}.
     *
     * @param n 1 to 10000
     * @return this builder
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder maxFailuresPerUser(int n) {
      this.maxFailuresPerUser = positive(n, "maxFailuresPerUser");
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#maxFailuresPerAddress()}.
     *
     * @param n 1 to 10000
     * @return this builder
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder maxFailuresPerAddress(int n) {
      this.maxFailuresPerAddress = positive(n, "maxFailuresPerAddress");
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#failureWindow()}.
     *
     * @param window 1 second to 1 day
     * @return this builder
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder failureWindow(Duration window) {
      this.failureWindow = between(window, "failureWindow", Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Sets {@link LocalAuthSettings#lockoutDuration()}.
     *
     * @param duration 1 second to 1 day
     * @return this builder
     * @throws NullPointerException when it is null
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder lockoutDuration(Duration duration) {
      this.lockoutDuration = between(duration, "lockoutDuration", Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Builds the settings; the builder can be used further.
     *
     * @return the settings
     */
    public LocalAuthSettings build() {
      return new LocalAuthSettings(this);
    }

    private static String text(String v, String what) {
      if (v == null || v.isBlank() || v.length() > 200) {
        throw new IllegalArgumentException(what + " must be 1-200 characters, got '" + v + "'");
      }
      return v;
    }

    private static int positive(int n, String what) {
      if (n < 1 || n > 10_000) {
        throw new IllegalArgumentException(what + " must be 1 to 10000, got " + n);
      }
      return n;
    }

    private static Duration between(Duration d, String what, Duration min, Duration max) {
      Objects.requireNonNull(d, what);
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        throw new IllegalArgumentException(what + " must be " + min + " to " + max + ", got " + d);
      }
      return d;
    }
  }
}
