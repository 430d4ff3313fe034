package dev.sluice.destinations.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.DaemonThreadFactory;
import dev.sluice.record.Batch;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code webhook} destination: POSTs records as JSON to an HTTP endpoint.
 *
 * <p>Requests: {@code Content-Type: application/json}; {@code Idempotency-Key}: the record's
 * idempotency key (per-record mode) or a key derived from the idempotency keys of the batch's
 * records (batch mode); optionally a signature header {@code sha256=<hex HMAC-SHA256 of the body>}
 * made with a shared secret; optionally extra headers (e.g. {@code Authorization}).
 *
 * <p>Body: in {@link Mode#BATCH} a JSON array with one item per record, in {@link Mode#RECORD} one
 * request per record with the item as body. An item is the record's data, or with {@code
 * envelope} (default) {@code {"key", "idempotencyKey", "source", "observedAt", "attributes",
 * "data"}} so a receiver can upsert each item by its idempotency key.
 *
 * <p>Outcomes: 2xx delivered; 408, 429, 5xx and I/O failures (refused, reset, timed out) are
 * retryable, with the server's {@code Retry-After} (seconds or HTTP-date); redirects and other 4xx
 * are permanent. In record mode each record has its own outcome; after a throttling answer (a
 * {@code Retry-After}) or an I/O failure the rest of the batch is not sent and is reported
 * retryable.
 *
 * <p>Messages name the endpoint by scheme, host and port only: paths and queries of webhook URLs
 * often carry tokens. Header values and the signing secret are never logged.
 *
 * <p>Thread-safe: one {@link HttpClient} serves concurrent deliveries.
 */
public final class WebhookDestination implements Destination {
  /** How batches become requests. */
  public enum Mode {
    /** One request per batch, the body a JSON array. */
    BATCH,
    /** One request per record. */
    RECORD
  }

  private static final int ERROR_BODY_CHARS = 200;

  private final String name;
  private final URI url;
  private final String origin;
  private final Mode mode;
  private final boolean envelope;
  private final Map<String, String> headers;
  private final String signatureHeader;
  private final SecretKeySpec signingKey;
  private final Duration requestTimeout;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final ExecutorService executor;
  private final HttpClient client;

  /**
   * @param name the destination's name, for messages
   * @param url where to POST, http or https
   * @param headers extra request headers
   * @param signingSecret signs each body with HMAC-SHA256 into {@code signatureHeader}; null for none
   * @param signatureHeader the header carrying the signature
   */
  public WebhookDestination(
      String name,
      URI url,
      Mode mode,
      boolean envelope,
      Map<String, String> headers,
      String signingSecret,
      String signatureHeader,
      Duration connectTimeout,
      Duration requestTimeout,
      ObjectMapper mapper,
      Clock clock) {
    this.name = Objects.requireNonNull(name, "name");
    this.url = Objects.requireNonNull(url, "url");
    this.origin = origin(url);
    if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException("destination '" + name + "': url must be http or https, got " + origin);
    }
    this.mode = Objects.requireNonNull(mode, "mode");
    this.envelope = envelope;
    this.headers = Map.copyOf(new LinkedHashMap<>(headers));
    for (Map.Entry<String, String> h : this.headers.entrySet()) {
      try {
        HttpRequest.newBuilder(url).header(h.getKey(), h.getValue());
      } catch (IllegalArgumentException e) {
        // HttpClient's message may quote the value, which may be a secret
        throw new IllegalArgumentException("destination '" + name + "': header '" + h.getKey()
            + "' is not allowed or its value is not a valid header value (value hidden)");
      }
    }
    this.signatureHeader = Objects.requireNonNull(signatureHeader, "signatureHeader");
    this.signingKey = signingSecret == null
        ? null : new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.executor = Executors.newCachedThreadPool(new DaemonThreadFactory("sluice-webhook-" + name));
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Objects.requireNonNull(connectTimeout, "connectTimeout"))
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws InterruptedException {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    if (mode == Mode.BATCH) {
      ArrayNode body = mapper.createArrayNode();
      StringBuilder keys = new StringBuilder();
      for (int i = 0; i < batch.size(); i++) {
        body.add(item(batch, i));
        keys.append(batch.idempotencyKey(i)).append(',');
      }
      Answer a = post(body, IdempotencyKeys.of(batch.pipeline(), "batch:" + keys), batch.size() + " records");
      if (a.failure != null) {
        throw a.failure;
      }
      return DeliveryResult.success();
    }
    Map<Integer, RecordFailure> failures = new HashMap<>();
    boolean anyAnswered = false;
    DeliveryException stop = null;
    for (int i = 0; i < batch.size(); i++) {
      if (stop != null) {
        failures.put(i, new RecordFailure("not sent after an earlier failure in the batch: " + stop.getMessage(),
            true, stop.retryAfter().orElse(null)));
        continue;
      }
      Answer a = post(item(batch, i), batch.idempotencyKey(i), "record '" + batch.get(i).key() + "'");
      anyAnswered |= a.answered;
      if (a.failure != null) {
        if (!anyAnswered) {
          throw a.failure; // the endpoint answers nothing: a failure of the whole batch
        }
        failures.put(i, new RecordFailure(a.failure.getMessage(), a.failure.isRetryable(),
            a.failure.retryAfter().orElse(null)));
        if (!a.answered || a.failure.retryAfter().isPresent()) {
          stop = a.failure; // unreachable or throttled: the next requests would fare no better
        }
      }
    }
    return DeliveryResult.partial(failures);
  }

  private JsonNode item(Batch batch, int i) {
    Record r = batch.get(i);
    if (!envelope) {
      return r.data();
    }
    ObjectNode n = RecordCodec.toJson(r);
    ObjectNode out = mapper.createObjectNode();
    out.put("key", r.key());
    out.put("idempotencyKey", batch.idempotencyKey(i));
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!e.getKey().equals("key")) {
        out.set(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /** The outcome of one request: failure null when delivered; answered when HTTP came back. */
  private record Answer(boolean answered, DeliveryException failure) {}

  private Answer post(JsonNode body, String idempotencyKey, String what) throws InterruptedException {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw DeliveryException.permanent(
          "destination '" + name + "': " + what + " could not be written as JSON: " + e.getOriginalMessage(), e);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(url)
        .timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", idempotencyKey)
        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    headers.forEach(request::header);
    if (signingKey != null) {
      request.header(signatureHeader, "sha256=" + hmacHex(bytes));
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      return new Answer(false, DeliveryException.retryable(
          "destination '" + name + "': POST " + origin + " failed (" + what + "): " + describe(e), e));
    }
    int status = response.statusCode();
    String text = readSome(response.body());
    if (status >= 200 && status < 300) {
      return new Answer(true, null);
    }
    String message = "destination '" + name + "': POST " + origin + " answered HTTP " + status + " (" + what + ")"
        + (text.isEmpty() ? "" : ": " + text);
    if (status == 408 || status == 429 || status >= 500) {
      Duration retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
          clock.instant()).orElse(null);
      return new Answer(true, new DeliveryException(message, true, retryAfter, null));
    }
    if (status >= 300 && status < 400) {
      message += "; redirects are not followed: point 'url' at the final address";
    }
    return new Answer(true, DeliveryException.permanent(message));
  }

  private String hmacHex(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(signingKey);
      byte[] sig = mac.doFinal(body);
      StringBuilder sb = new StringBuilder(sig.length * 2);
      for (byte b : sig) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java platform has HmacSHA256", e);
    }
  }

  /** The first characters of an error body, on one line; the rest is discarded. */
  private static String readSome(InputStream body) {
    try (InputStream in = body) {
      byte[] head = in.readNBytes(ERROR_BODY_CHARS * 4);
      in.transferTo(OutputStream.nullOutputStream()); // drained, the connection can be reused
      String s = new String(head, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
      return s.length() > ERROR_BODY_CHARS ? s.substring(0, ERROR_BODY_CHARS) + "…" : s;
    } catch (IOException e) {
      return "(response body unreadable: " + describe(e) + ")";
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /** Scheme, host and port: safe to show. */
  static String origin(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  @Override
  public String toString() {
    return "WebhookDestination{" + name + " -> " + origin + ", mode=" + mode + "}";
  }
}
