package dev.sluice.auth.keycloak.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;

/**
 * The provider's discovery document and signing keys, fetched lazily and cached.
 *
 * <p>Keys are downloaded again when the cached set is older than the cache time, or when a token
 * names a key id the cache does not know (the provider rotated its keys) — but never more often
 * than once per refresh interval, so tokens with made-up key ids cannot make Sluice hammer the
 * provider. A download replaces the whole set: keys the provider removed stop verifying at once. A
 * failed download keeps the previous keys. Time comes from the injected clock.
 *
 * <p>Thread-safe: lookups read an immutable snapshot; downloads happen under a lock, one at a time.
 */
public final class KeySource {
  private final String issuer;
  private final URI discoveryUri;
  private final Http http;
  private final Clock clock;
  private final Duration refreshInterval;
  private final Duration cacheTime;
  private final Logger log;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicLong jwksDownloads = new AtomicLong();

  private volatile ProviderMetadata metadata;
  private volatile Instant lastDiscoveryAttempt;
  private volatile Snapshot snapshot;
  private volatile Instant lastJwksAttempt;

  private record Snapshot(Map<String, Jwk> keys, Instant fetchedAt) {}

  public KeySource(String issuer, URI discoveryUri, Http http, Clock clock, Duration refreshInterval,
      Duration cacheTime, Logger log) {
    this.issuer = issuer;
    this.discoveryUri = discoveryUri;
    this.http = http;
    this.clock = clock;
    this.refreshInterval = refreshInterval;
    this.cacheTime = cacheTime;
    this.log = log;
  }

  /** The discovery document, fetched on first use; a failure is retried at most once per refresh interval. */
  public ProviderMetadata metadata() throws IOException {
    ProviderMetadata m = metadata;
    if (m != null) {
      return m;
    }
    lock.lock();
    try {
      if (metadata != null) {
        return metadata;
      }
      Instant now = clock.instant();
      if (lastDiscoveryAttempt != null && now.isBefore(lastDiscoveryAttempt.plus(refreshInterval))) {
        throw new IOException("discovery of " + issuer + " failed recently; next attempt after "
            + lastDiscoveryAttempt.plus(refreshInterval));
      }
      lastDiscoveryAttempt = now;
      JsonNode doc = http.getJson(discoveryUri);
      metadata = ProviderMetadata.from(doc, issuer, discoveryUri);
      log.debug("discovered {}: jwks_uri {}", issuer, metadata.jwksUri());
      return metadata;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The key with this id, downloading the key set when it is stale or does not know the id (rate
   * limited).
   *
   * @throws IOException when no key set could ever be downloaded
   */
  public Optional<Jwk> key(String kid) throws IOException {
    Snapshot s = snapshot;
    Instant now = clock.instant();
    if (s != null && now.isBefore(s.fetchedAt.plus(cacheTime))) {
      Jwk k = s.keys.get(kid);
      if (k != null) {
        return Optional.of(k);
      }
    }
    refreshIfAllowed(now);
    s = snapshot;
    if (s == null) {
      throw new IOException("no signing keys of " + issuer + " could be downloaded yet");
    }
    return Optional.ofNullable(s.keys.get(kid));
  }

  /** How many times the key set was requested from the provider (for tests and metrics). */
  public long jwksDownloads() {
    return jwksDownloads.get();
  }

  private void refreshIfAllowed(Instant now) throws IOException {
    lock.lock();
    try {
      Instant last = lastJwksAttempt;
      if (last != null && now.isBefore(last.plus(refreshInterval))) {
        return; // rate limit: someone downloaded (or tried) moments ago
      }
      lastJwksAttempt = now;
      URI jwksUri = metadata().jwksUri();
      jwksDownloads.incrementAndGet();
      try {
        JsonNode doc = http.getJson(jwksUri);
        Map<String, Jwk> keys = Map.copyOf(Jwk.parseSet(doc, log));
        Snapshot previous = snapshot;
        snapshot = new Snapshot(keys, now);
        if (previous == null || !previous.keys.keySet().equals(keys.keySet())) {
          log.info("signing keys of {} now: {}", issuer, keys.keySet());
        }
      } catch (IOException e) {
        if (snapshot == null) {
          throw e;
        }
        log.warn("could not refresh the signing keys of {} ({}); keeping the {} cached", issuer, e.getMessage(),
            snapshot.keys.size());
      }
    } finally {
      lock.unlock();
    }
  }
}
