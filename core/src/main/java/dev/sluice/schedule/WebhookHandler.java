package dev.sluice.schedule;

import dev.sluice.store.ReplayCache;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The webhook endpoints of one Sluice instance, framework-neutral: the host's HTTP server hands
 * each request over as method, path, headers and raw body, and sends back the {@link
 * WebhookResponse}. Mount it in a servlet, a controller, {@code com.sun.net.httpserver} or the
 * {@code sluice-server} module.
 *
 * <p>For each request, in this order: path known (else 404), method POST (else 405), body within
 * the trigger's limit (else 413), Sluice started (else 503), signature valid and timestamp within
 * tolerance (else 401, or 400 when malformed), body parseable as JSON or form fields (else 400),
 * delivery not seen before (else 200 with {@code "status":"duplicate"}: the sender may stop
 * retrying, and nothing starts; see {@link WebhookSignature} for what identifies a delivery).
 * Then a run of the bound pipeline is requested with the payload as its parameters: 202 with the
 * run id when it started or was queued, 503 with {@code Retry-After} when the overlap policy
 * skipped it (its delivery is forgotten again, so the retry counts).
 *
 * <p>Deliveries are remembered in the store's {@link ReplayCache} when it has one (shared by all
 * nodes of a cluster), else in this process's memory, for the trigger's {@code replayWindow}.
 * When an endpoint's {@code replayCapacity} is reached with deliveries that still guard against
 * replays, new deliveries are refused with 503 and {@code Retry-After} (reason {@code
 * replay_cache_full}) rather than forgetting one; 503 too (reason {@code replay_cache_unavailable})
 * when the store fails.
 *
 * <p>Every refusal is counted in {@code sluice.webhooks.rejected} (tags {@code path}, {@code
 * reason}); accepted requests in {@code sluice.webhooks.accepted}. Neither responses nor logs
 * contain secrets or signature values.
 *
 * <p>Made by Sluice ({@code Sluice.webhooks()}); hosts call it and never implement it. Thread-safe:
 * call it from as many server threads as you like.
 */
public interface WebhookHandler {
  /**
   * The paths answered, in definition order. Never null.
   *
   * @return the paths, unmodifiable
   */
  Set<String> paths();

  /**
   * The body limit of {@code path}, so a server can refuse a large {@code Content-Length} early; -1
   * when unknown.
   *
   * @param path the request path
   * @return the limit in bytes, or -1 for a path that is not answered
   */
  int maxBodyBytes(String path);

  /**
   * Handles a request whose body is still a stream: reads at most the path's limit plus one byte,
   * so an oversized body is refused without being buffered.
   *
   * @param method the HTTP method, e.g. {@code POST}
   * @param path the request path without query
   * @param headers every header with its values, as the server gives them
   * @param body the request body, read here (not closed)
   * @return the response to send; never null
   * @throws IOException only when reading {@code body} fails
   */
  WebhookResponse handle(String method, String path, Map<String, List<String>> headers, InputStream body)
      throws IOException;

  /**
   * Handles one request. Never throws: every problem is a response with one of the statuses listed
   * in {@link WebhookResponse}, and an unexpected failure (a bug) is logged and answered with 500.
   *
   * @param request the request, with its body read
   * @return the response to send; never null
   */
  WebhookResponse handle(WebhookRequest request);
}
