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
   */
  public static LocalAuthSettings defaults() {
    return new Builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these values. */
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

  /** The {@code iss} of local access tokens. */
  public String issuer() {
    return issuer;
  }

  /** The {@code aud} of local access tokens. */
  public String audience() {
    return audience;
  }

  public Duration accessTokenTtl() {
    return accessTokenTtl;
  }

  public Duration refreshTokenTtl() {
    return refreshTokenTtl;
  }

  /** How long a signing key signs before a new one takes over. */
  public Duration signingKeyLifetime() {
    return signingKeyLifetime;
  }

  /** Leeway on {@code exp}, {@code nbf} and {@code iat}. */
  public Duration clockSkew() {
    return clockSkew;
  }

  /** Longer tokens are refused before they are parsed. */
  public int maxTokenLength() {
    return maxTokenLength;
  }

  public int maxFailuresPerUser() {
    return maxFailuresPerUser;
  }

  public int maxFailuresPerAddress() {
    return maxFailuresPerAddress;
  }

  /** Failures older than this no longer count. */
  public Duration failureWindow() {
    return failureWindow;
  }

  /** How long a user or address stays locked after too many failures (unless an admin unlocks). */
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

    public Builder issuer(String issuer) {
      this.issuer = text(issuer, "issuer");
      return this;
    }

    public Builder audience(String audience) {
      this.audience = text(audience, "audience");
      return this;
    }

    public Builder accessTokenTtl(Duration ttl) {
      this.accessTokenTtl = between(ttl, "accessTokenTtl", Duration.ofSeconds(10), Duration.ofHours(24));
      return this;
    }

    public Builder refreshTokenTtl(Duration ttl) {
      this.refreshTokenTtl = between(ttl, "refreshTokenTtl", Duration.ofMinutes(1), Duration.ofDays(365));
      return this;
    }

    public Builder signingKeyLifetime(Duration lifetime) {
      this.signingKeyLifetime = between(lifetime, "signingKeyLifetime", Duration.ofMinutes(1), Duration.ofDays(3650));
      return this;
    }

    public Builder clockSkew(Duration skew) {
      this.clockSkew = between(skew, "clockSkew", Duration.ZERO, Duration.ofMinutes(5));
      return this;
    }

    public Builder maxTokenLength(int length) {
      if (length < 512 || length > 65536) {
        throw new IllegalArgumentException("maxTokenLength must be 512 to 65536, got " + length);
      }
      this.maxTokenLength = length;
      return this;
    }

    public Builder maxFailuresPerUser(int n) {
      this.maxFailuresPerUser = positive(n, "maxFailuresPerUser");
      return this;
    }

    public Builder maxFailuresPerAddress(int n) {
      this.maxFailuresPerAddress = positive(n, "maxFailuresPerAddress");
      return this;
    }

    public Builder failureWindow(Duration window) {
      this.failureWindow = between(window, "failureWindow", Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

    public Builder lockoutDuration(Duration duration) {
      this.lockoutDuration = between(duration, "lockoutDuration", Duration.ofSeconds(1), Duration.ofDays(1));
      return this;
    }

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
