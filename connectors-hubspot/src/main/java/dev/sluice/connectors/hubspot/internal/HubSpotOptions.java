package dev.sluice.connectors.hubspot.internal;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The validated options of one HubSpot connector. Built by the provider from the pipeline's
 * configuration; immutable and thread-safe. Secrets ({@code token}, {@code clientSecret}) are never
 * part of {@link #toString()}.
 *
 * @param object the CRM object type: contacts, companies, deals, tickets, or a custom object type id
 * @param baseUrl the API root, without a trailing slash
 * @param token a private-app access token, or null when OAuth is used
 * @param clientId OAuth client id, or null with a private-app token
 * @param clientSecret OAuth client secret, or null
 * @param refreshTokenSecret name of the stored secret holding the OAuth refresh token, or null
 * @param tokenUrl the OAuth token endpoint
 * @param properties the properties to read; empty means every property of the object
 * @param incremental search by last-modified time (true) or list everything (false)
 * @param archived full refresh only: also read archived records
 * @param associations object types whose associated ids are attached to each record
 * @param startDate where the first incremental read starts, or null for the beginning
 * @param lookback how far before the checkpoint an incremental read starts again
 * @param pageSize records per request (search: up to 200, list: up to 100)
 * @param maxRetries retries of one request after retryable failures
 * @param requestTimeout timeout of one request
 * @param searchRequestsPerSecond pace of search requests
 * @param maxRetryWait the longest single wait for a rate limit or backoff
 */
public record HubSpotOptions(
    String object,
    String baseUrl,
    String token,
    String clientId,
    String clientSecret,
    String refreshTokenSecret,
    URI tokenUrl,
    List<String> properties,
    boolean incremental,
    boolean archived,
    List<String> associations,
    Instant startDate,
    Duration lookback,
    int pageSize,
    int maxRetries,
    Duration requestTimeout,
    double searchRequestsPerSecond,
    Duration maxRetryWait) {

  public HubSpotOptions {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(baseUrl, "baseUrl");
    properties = List.copyOf(properties);
    associations = List.copyOf(associations);
    Objects.requireNonNull(lookback, "lookback");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(maxRetryWait, "maxRetryWait");
    if ((token == null) == (refreshTokenSecret == null)) {
      throw new IllegalArgumentException("exactly one of token and OAuth must be configured");
    }
  }

  /** The property HubSpot keeps the last-modified time in: {@code lastmodifieddate} for contacts. */
  public String cursorProperty() {
    return object.equals("contacts") ? "lastmodifieddate" : "hs_lastmodifieddate";
  }

  public boolean oauth() {
    return refreshTokenSecret != null;
  }

  @Override
  public String toString() {
    return "HubSpotOptions{object=" + object + ", baseUrl=" + baseUrl + ", auth=" + (oauth() ? "oauth" : "token")
        + ", properties=" + properties + ", incremental=" + incremental + ", archived=" + archived
        + ", associations=" + associations + ", startDate=" + startDate + ", lookback=" + lookback
        + ", pageSize=" + pageSize + "}";
  }
}
