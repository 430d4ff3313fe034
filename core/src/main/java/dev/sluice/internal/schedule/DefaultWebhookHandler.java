package dev.sluice.internal.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.schedule.RunHandle;
import dev.sluice.schedule.WebhookHandler;
import dev.sluice.schedule.WebhookRequest;
import dev.sluice.schedule.WebhookResponse;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.store.ReplayCache;
import dev.sluice.store.ReplayCache.Reservation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The scheduler's {@link WebhookHandler}: the contract is documented there. Thread-safe. */
public final class DefaultWebhookHandler implements WebhookHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultWebhookHandler.class);
  static final String RETRY_AFTER_SECONDS = "60";

  /** Requests a run; the overlap policy applies. */
  @FunctionalInterface
  interface Submitter {
    /**
     * @param payload the parsed body; the run owns it
     * @param bodyBytes the body's size
     */
    RunHandle submit(String pipeline, WebhookTrigger trigger, JsonNode payload, int bodyBytes);
  }

  /** A webhook trigger of a pipeline. */
  record Binding(String pipeline, WebhookTrigger trigger) {}

  private record Endpoint(String pipeline, WebhookTrigger trigger, ReplayGuard replays) {}

  private final Map<String, Endpoint> endpoints;
  private final Submitter submitter;
  private final Clock clock;
  private final MeterRegistry registry;
  private final ObjectMapper mapper;
  private final BooleanSupplier started;

  /**
   * @param replays where deliveries are remembered: the store's cache, or one in memory
   */
  DefaultWebhookHandler(List<Binding> bindings, Submitter submitter, ReplayCache replays, Clock clock,
      MeterRegistry registry, ObjectMapper mapper, BooleanSupplier started) {
    this.submitter = submitter;
    this.clock = clock;
    this.registry = registry;
    this.mapper = mapper;
    this.started = started;
    Map<String, Endpoint> byPath = new LinkedHashMap<>();
    for (Binding b : bindings) {
      WebhookTrigger t = b.trigger();
      if (byPath.putIfAbsent(t.path(), new Endpoint(b.pipeline(), t,
          new ReplayGuard(replays, t, clock))) != null) {
        throw new IllegalArgumentException("webhook path " + t.path() + " is bound twice");
      }
    }
    this.endpoints = Collections.unmodifiableMap(byPath);
  }

  @Override
  public Set<String> paths() {
    return endpoints.keySet();
  }

  @Override
  public int maxBodyBytes(String path) {
    Endpoint e = find(path);
    return e == null ? -1 : e.trigger().maxBodyBytes();
  }

  @Override
  public WebhookResponse handle(String method, String path, Map<String, List<String>> headers, InputStream body)
      throws IOException {
    Endpoint e = find(path);
    byte[] bytes = e == null ? new byte[0] : body.readNBytes(e.trigger().maxBodyBytes() + 1);
    return handle(new WebhookRequest(method, path, headers, bytes));
  }

  @Override
  public WebhookResponse handle(WebhookRequest request) {
    try {
      return handleChecked(request);
    } catch (RuntimeException e) {
      LOG.error("webhook {}: unexpected failure while handling a request", abbreviate(request.path()), e);
      return response(500, Map.of(), json().put("error", "internal error; see the server log").put("reason", "internal"));
    }
  }

  private WebhookResponse handleChecked(WebhookRequest request) {
    Endpoint endpoint = find(request.path());
    String path = endpoint == null ? "unknown" : endpoint.trigger().path();
    if (endpoint == null) {
      return reject(path, 404, "not_found", "no webhook at this path");
    }
    if (!request.method().equals("POST")) {
      return reject(path, 405, "method", "use POST, not " + request.method(), Map.of("Allow", "POST"));
    }
    WebhookTrigger trigger = endpoint.trigger();
    if (request.body().length > trigger.maxBodyBytes()) {
      return reject(path, 413, "too_large", "body exceeds " + trigger.maxBodyBytes() + " bytes");
    }
    if (!started.getAsBoolean()) {
      return reject(path, 503, "not_started", "Sluice is not started", Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    WebhookSignature.Verdict verdict = trigger.signature().verify(request::header, request.body(), clock.instant());
    if (!verdict.accepted()) {
      return reject(path, verdict.status(), verdict.reason(), verdict.message());
    }
    JsonNode payload;
    try {
      payload = parse(request);
    } catch (MalformedBody e) {
      return reject(path, 400, "malformed", e.getMessage());
    }
    List<String> replayKeys = trigger.signature().replayKeys(request::header, payload, verdict);
    Reservation reservation;
    try {
      reservation = replayKeys.isEmpty() ? Reservation.RESERVED : endpoint.replays().reserve(replayKeys);
    } catch (RuntimeException e) {
      LOG.error("webhook {}: could not check the delivery against the replay cache", path, e);
      return reject(path, 503, "replay_cache_unavailable", "could not check for a replay; retry later",
          Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    if (reservation == Reservation.DUPLICATE) {
      count("sluice.webhooks.rejected", path, "replay");
      LOG.warn("webhook {}: replayed delivery refused (nothing started)", path);
      return response(200, Map.of(), json().put("status", "duplicate")
          .put("message", "this delivery was already received; nothing was started"));
    }
    if (reservation == Reservation.FULL) {
      return reject(path, 503, "replay_cache_full", "too many recent deliveries to remember (replayCapacity "
          + trigger.replayCapacity() + "); retry later", Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    RunHandle run;
    try {
      run = submitter.submit(endpoint.pipeline(), trigger, payload, request.body().length);
    } catch (RuntimeException e) {
      release(endpoint, path, replayKeys);
      LOG.error("webhook {}: could not start a run of pipeline '{}'", path, endpoint.pipeline(), e);
      return reject(path, 503, "unavailable", "could not start a run: " + e.getMessage(),
          Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
    if (run.status() == RunStatus.SKIPPED) {
      release(endpoint, path, replayKeys);
      count("sluice.webhooks.rejected", path, "overlap");
      return response(503, Map.of("Retry-After", RETRY_AFTER_SECONDS), json()
          .put("runId", run.id()).put("status", RunStatus.SKIPPED.name())
          .put("error", "a run of this pipeline is in progress; retry later"));
    }
    count("sluice.webhooks.accepted", path, null);
    // Written by hand: the answer every accepted delivery gets, the same as the ObjectNode's would be.
    JsonStringEncoder quote = JsonStringEncoder.getInstance();
    return new WebhookResponse(202, Map.of(), "{\"runId\":\"" + new String(quote.quoteAsString(run.id()))
        + "\",\"pipeline\":\"" + new String(quote.quoteAsString(endpoint.pipeline())) + "\",\"status\":\""
        + (run.status() == RunStatus.QUEUED ? "QUEUED" : "RUNNING") + "\"}");
  }

  /** Forgets a delivery that started nothing, so its retry counts; a store failure only costs that. */
  private static void release(Endpoint endpoint, String path, List<String> replayKeys) {
    try {
      endpoint.replays().release(replayKeys);
    } catch (RuntimeException e) {
      LOG.warn("webhook {}: could not forget a delivery that started nothing; its retry counts as a duplicate", path, e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  private Endpoint find(String path) {
    try {
      return endpoints.get(WebhookTrigger.normalize(path));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Why a body could not be read; the message is safe to return. */
  private static final class MalformedBody extends Exception {
    MalformedBody(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * JSON bodies as they are; form bodies as an object of their fields; an empty body as {}. Both
   * must be UTF-8 (RFC 8259): Jackson would otherwise guess UTF-16 or UTF-32 from NUL bytes.
   */
  private JsonNode parse(WebhookRequest request) throws MalformedBody {
    byte[] body = request.body();
    String contentType = request.header("Content-Type");
    boolean form = contentType != null
        && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
    if (!form && isAsciiWithoutNul(body)) {
      // The common case, parsed from the bytes: ASCII is UTF-8, and without NUL bytes Jackson
      // cannot mistake it for UTF-16 or UTF-32.
      return parseJson(body);
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(request.body()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedBody("body is not valid UTF-8");
    }
    if (form) {
      ObjectNode fields = json();
      for (String pair : text.split("&")) {
        if (!pair.isEmpty()) {
          int eq = pair.indexOf('=');
          try {
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            fields.put(k, v);
          } catch (IllegalArgumentException e) { // a % not followed by two hex digits
            throw new MalformedBody("form body is not valid URL encoding: " + e.getMessage());
          }
        }
      }
      return fields;
    }
    if (text.isBlank()) {
      return json();
    }
    try {
      return mapper.readTree(text); // from the text: its bytes may hold NULs, which Jackson would take for UTF-16
    } catch (JsonProcessingException e) {
      throw malformed(e);
    }
  }

  private static boolean isAsciiWithoutNul(byte[] body) {
    for (byte b : body) {
      if (b <= 0) { // NUL, or the first byte of a multi-byte UTF-8 sequence (or not UTF-8 at all)
        return false;
      }
    }
    return true;
  }

  /** @param ascii ASCII without NUL bytes */
  private JsonNode parseJson(byte[] ascii) throws MalformedBody {
    if (isBlank(ascii)) {
      return json();
    }
    try {
      return mapper.readTree(ascii);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) { // not from a byte array; kept safe to answer all the same
      throw new MalformedBody("body could not be read as JSON");
    }
  }

  private static MalformedBody malformed(JsonProcessingException e) {
    return new MalformedBody("body is not valid JSON: " + e.getOriginalMessage()
        + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
            + e.getLocation().getColumnNr()));
  }

  private static boolean isBlank(byte[] utf8) {
    for (byte b : utf8) {
      if (b != ' ' && (b < 0x09 || b > 0x0D) && (b < 0x1C || b > 0x1F)) { // as String.isBlank for ASCII
        return false;
      }
    }
    return true;
  }

  private WebhookResponse reject(String path, int status, String reason, String message) {
    return reject(path, status, reason, message, Map.of());
  }

  private WebhookResponse reject(String path, int status, String reason, String message, Map<String, String> headers) {
    count("sluice.webhooks.rejected", path, reason);
    LOG.warn("webhook {}: refused with {} ({}): {}", path, status, reason, message);
    return response(status, headers, json().put("error", message).put("reason", reason));
  }

  private void count(String name, String path, String reason) {
    // Looked up once per name, path and reason (all from configuration or fixed): an accepted
    // delivery should not pay for a registry lookup.
    counters.computeIfAbsent(name + ' ' + path + ' ' + reason, k -> {
      Counter.Builder b = Counter.builder(name).tag("path", path);
      if (reason != null) {
        b.tag("reason", reason);
      }
      return b.register(registry);
    }).increment();
  }

  private final java.util.concurrent.ConcurrentHashMap<String, Counter> counters =
      new java.util.concurrent.ConcurrentHashMap<>();

  private ObjectNode json() {
    return mapper.createObjectNode();
  }

  private WebhookResponse response(int status, Map<String, String> headers, ObjectNode body) {
    return new WebhookResponse(status, headers, body.toString());
  }

  @Override
  public String toString() {
    return "WebhookHandler" + endpoints.keySet();
  }
}
