package dev.sluice.schedule;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What the host's server sends back: a status, extra headers, and a small JSON body (content type
 * {@code application/json}). Bodies never contain secrets or signature values.
 *
 * @param status the HTTP status: 202 run started or queued, 200 duplicate delivery (nothing
 *     started), 400 malformed, 401 signature missing, wrong or stale, 404 unknown path, 405 not
 *     POST, 413 body too large, 503 not started yet, skipped by the overlap policy, replay cache
 *     full or unavailable, or the run could not be requested (with {@code Retry-After}); 500 only
 *     for a bug in Sluice (logged)
 * @param headers extra headers, e.g. {@code Retry-After}
 * @param body JSON text
 */
public record WebhookResponse(int status, Map<String, String> headers, String body) {
  /** The content type of every {@link #body()}. */
  public static final String CONTENT_TYPE = "application/json";

  /**
   * Copies the headers.
   *
   * @param status the HTTP status: 202 run started or queued, 200 duplicate delivery (nothing
   *     started), 400 malformed, 401 signature missing, wrong or stale, 404 unknown path, 405 not
   *     POST, 413 body too large, 503 not started yet, skipped by the overlap policy, replay cache
   *     full or unavailable, or the run could not be requested (with {@code Retry-After}); 500 only
   *     for a bug in Sluice (logged)
   * @param headers extra headers, e.g. {@code Retry-After}
   * @param body JSON text
   * @throws NullPointerException when {@code headers} or {@code body} is null
   */
  public WebhookResponse {
    headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    Objects.requireNonNull(body, "body");
  }

  /**
   * The body as UTF-8 bytes.
   *
   * @return a new array
   */
  public byte[] bodyBytes() {
    return body.getBytes(StandardCharsets.UTF_8);
  }
}
