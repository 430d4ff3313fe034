package dev.sluice.destinations.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.DaemonThreadFactory;
import dev.sluice.internal.HmacSha256;
import dev.sluice.record.Batch;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * The {@code webhook} destination: POSTs records as JSON to an HTTP endpoint.
 *
 * <p>Requests: {@code Content-Type: application/json}; {@code Idempotency-Key}: the record's
 * idempotency key (per-record mode) or a key derived from the idempotency keys of the batch's
 * records (batch mode); optionally a signature (see {@link Signing}); optionally extra headers
 * (e.g. {@code Authorization}).
 *
 * <p>Body: in {@link Mode#BATCH} a JSON array with one item per record, in {@link Mode#RECORD} one
 * request per record with the item as body. An item is the record's data, or with {@code
 * envelope} (default) {@code {"key", "idempotencyKey", "source", "observedAt", "attributes",
 * "data"}} so a receiver can upsert each item by its idempotency key.
 *
 * <p>Outcomes: 2xx delivered; 408, 429, 5xx and I/O failures (refused, reset, timed out) are
 * retryable, with the server's {@code Retry-After} (seconds or HTTP-date); redirects (never
 * followed) and other 4xx are permanent, and so is a target the SSRF guard refuses. In record mode
 * each record has its own outcome; after a throttling answer (a {@code Retry-After}) or an I/O
 * failure the rest of the batch is not sent and is reported retryable.
 *
 * <p>Time: connecting is bounded by {@code connectTimeout}; the whole exchange (connecting,
 * sending, the answer and reading its body) by {@code requestTimeout}, after which the connection
 * is aborted, so a server that trickles its answer byte by byte can't hold a run. Of an answer's
 * body at most {@value #MAX_ANSWER_BYTES} bytes are read (for the error message); the rest is not
 * drained, the connection is dropped instead.
 *
 * <p>SSRF guard: by default the target host must resolve to public addresses only (see {@link
 * TargetGuard}); hosts and CIDR blocks in {@code allowedTargets} may be internal. Every new
 * connection resolves the host once, checks every address and connects to a checked one; TLS still
 * verifies the certificate against the host name (and sends it as SNI), and {@code Host} names it.
 *
 * <p>Messages name the endpoint by scheme, host and port only: paths and queries of webhook URLs
 * often carry tokens. Header values and the signing secret are never logged.
 *
 * <p>Thread-safe: one connection pool serves concurrent deliveries.
 */
public final class WebhookDestination implements Destination, dev.sluice.spi.ConnectionCheck {
  /** How batches become requests. */
  public enum Mode {
    /** One request per batch, the body a JSON array. */
    BATCH,
    /** One request per record. */
    RECORD
  }

  /** How requests are signed. */
  public enum Signing {
    /** Not signed. */
    NONE,
    /** {@code <signatureHeader>: sha256=<hex HMAC-SHA256 of the body>}; no timestamp, no message id. */
    HMAC_SHA256,
    /**
     * <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>: {@code webhook-id} (the
     * idempotency key, the same on every retry), {@code webhook-timestamp} (Unix seconds when sent)
     * and {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">}, with a {@code
     * whsec_<base64>} secret; receivers can refuse stale and replayed messages.
     */
    STANDARD
  }

  /** The most bytes of an answer's body that are read. */
  static final int MAX_ANSWER_BYTES = 4096;
  private static final int ERROR_BODY_CHARS = 200;
  private static final ContentType JSON = ContentType.create("application/json");

  private final String name;
  private final URI url;
  private final String origin;
  private final Mode mode;
  private final boolean envelope;
  private final Map<String, String> headers;
  private final Signing signing;
  private final byte[] signingKey;
  private final String signatureHeader;
  private final Duration requestTimeout;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final TargetGuard guard;
  private final ExecutorService executor;
  private final CloseableHttpClient client;

  private WebhookDestination(Builder b) {
    this.name = Objects.requireNonNull(b.name, "name");
    this.url = Objects.requireNonNull(b.url, "url");
    if (url.getScheme() == null || url.getHost() == null
        || !("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))) {
      throw new IllegalArgumentException("destination '" + name + "': url must be an absolute http or https URL,"
          + " got " + (url.getScheme() == null || url.getHost() == null ? "another form (value hidden)" : origin(url)));
    }
    this.origin = origin(url);
    this.mode = Objects.requireNonNull(b.mode, "mode");
    this.envelope = b.envelope;
    this.headers = Map.copyOf(new LinkedHashMap<>(b.headers));
    for (Map.Entry<String, String> h : this.headers.entrySet()) {
      try {
        // The JDK's rules for request headers: no Host, Connection, Content-Length, ... overrides.
        HttpRequest.newBuilder(URI.create("http://localhost/")).header(h.getKey(), h.getValue());
      } catch (IllegalArgumentException e) {
        // HttpClient's message may quote the value, which may be a secret
        throw new IllegalArgumentException("destination '" + name + "': header '" + h.getKey()
            + "' is not allowed or its value is not a valid header value (value hidden)");
      }
    }
    this.signing = Objects.requireNonNull(b.signing, "signing");
    if ((signing == Signing.NONE) != (b.signingSecret == null)) {
      throw new IllegalArgumentException("destination '" + name + "': "
          + (signing == Signing.NONE ? "a signing secret needs a signing scheme" : "signing " + signing + " needs a secret"));
    }
    this.signingKey = switch (signing) {
      case NONE -> null;
      case HMAC_SHA256 -> hmacKey(b.signingSecret);
      case STANDARD -> WebhookSignature.standardKey(b.signingSecret);
    };
    this.signatureHeader = Objects.requireNonNull(b.signatureHeader, "signatureHeader");
    this.requestTimeout = positive(b.requestTimeout, "requestTimeout");
    Duration connectTimeout = positive(b.connectTimeout, "connectTimeout");
    this.mapper = Objects.requireNonNull(b.mapper, "mapper");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.guard = new TargetGuard(b.allowedTargets, b.resolver);
    this.executor = Executors.newCachedThreadPool(new DaemonThreadFactory("sluice-webhook-" + name));
    DnsResolver dns = new DnsResolver() {
      @Override
      public InetAddress[] resolve(String host) throws UnknownHostException {
        return guard.resolve(host);
      }

      @Override
      public String resolveCanonicalHostname(String host) throws UnknownHostException {
        return host; // never used for HTTP targets; no second lookup
      }
    };
    Timeout perStep = Timeout.of(requestTimeout);
    this.client = HttpClients.custom()
        .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(dns)
            .setTlsSocketStrategy(DefaultClientTlsStrategy.createSystemDefault())
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(connectTimeout))
                .setSocketTimeout(perStep)
                .build())
            .setMaxConnPerRoute(32)
            .setMaxConnTotal(32)
            .build())
        .setDefaultRequestConfig(RequestConfig.custom()
            .setResponseTimeout(perStep)
            .setConnectionRequestTimeout(perStep)
            .setRedirectsEnabled(false)
            .build())
        .disableRedirectHandling()
        .disableAutomaticRetries()
        .disableCookieManagement()
        .disableAuthCaching()
        .disableContentCompression()
        .build();
  }

  /**
   * A destination POSTing to {@code url}; {@code name} appears in messages.
   *
   * @param name the destination's name
   * @param url the receiver, an absolute http or https URL (checked by {@link Builder#build()})
   * @return a new builder
   */
  public static Builder builder(String name, URI url) {
    return new Builder(name, url);
  }

  private static byte[] hmacKey(String secret) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("the signing secret must not be empty");
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  private Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("destination '" + name + "': " + what + " must be positive, got " + d);
    }
    return d;
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

  /** What came back: status, Retry-After, the start of the body. */
  private record Response(int status, String retryAfter, String text) {}

  private Answer post(JsonNode body, String idempotencyKey, String what) throws InterruptedException {
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw DeliveryException.permanent(
          "destination '" + name + "': " + what + " could not be written as JSON: " + e.getOriginalMessage(), e);
    }
    HttpPost request = new HttpPost(url);
    request.setHeader("Idempotency-Key", idempotencyKey);
    headers.forEach(request::setHeader);
    sign(request, bytes, idempotencyKey);
    request.setEntity(new ByteArrayEntity(bytes, JSON));

    Future<Response> exchange = executor.submit(() -> exchange(request));
    Response response;
    try {
      response = exchange.get(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      request.cancel();
      exchange.cancel(true);
      throw e;
    } catch (TimeoutException e) {
      request.cancel(); // aborts the connection, so the exchange's blocked read ends
      exchange.cancel(true);
      return new Answer(false, timedOut(what, e));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SocketTimeoutException timeout) {
        return new Answer(false, timedOut(what, timeout));
      }
      if (cause instanceof TargetGuard.RefusedTargetException refused) {
        return new Answer(false, DeliveryException.permanent("destination '" + name + "': " + refused.getMessage()
            + " (" + what + ")", refused));
      }
      if (cause instanceof IOException io) {
        return new Answer(false, DeliveryException.retryable(
            "destination '" + name + "': POST " + origin + " failed (" + what + "): " + describe(io), io));
      }
      throw new IllegalStateException("destination '" + name + "': POST " + origin + " failed unexpectedly", cause);
    } catch (CancellationException e) {
      throw new InterruptedException("destination '" + name + "': delivery cancelled");
    }
    int status = response.status();
    if (status >= 200 && status < 300) {
      return new Answer(true, null);
    }
    String text = response.text();
    String message = "destination '" + name + "': POST " + origin + " answered HTTP " + status + " (" + what + ")"
        + (text.isEmpty() ? "" : ": " + text);
    if (status == 408 || status == 429 || status >= 500) {
      Duration retryAfter = RetryAfter.parse(response.retryAfter(), clock.instant()).orElse(null);
      return new Answer(true, new DeliveryException(message, true, retryAfter, null));
    }
    if (status >= 300 && status < 400) {
      message += "; redirects are not followed: point 'url' at the final address";
    }
    return new Answer(true, DeliveryException.permanent(message));
  }

  private DeliveryException timedOut(String what, Exception cause) {
    return DeliveryException.retryable("destination '" + name + "': POST " + origin
        + " got no complete answer within requestTimeout " + requestTimeout + " (" + what + ")", cause);
  }

  /**
   * Sends {@code request} and reads the start of the answer. Runs on the executor, so that the
   * caller's deadline and interrupts can abort it.
   */
  private Response exchange(HttpPost request) throws IOException {
    ClassicHttpResponse response = client.executeOpen(null, request, null);
    boolean complete = false;
    try {
      Header retryAfter = response.getFirstHeader("Retry-After");
      HttpEntity entity = response.getEntity();
      byte[] head = new byte[0];
      complete = entity == null;
      if (entity != null) {
        InputStream in = entity.getContent();
        head = in.readNBytes(MAX_ANSWER_BYTES);
        complete = head.length < MAX_ANSWER_BYTES || in.read() < 0;
      }
      return new Response(response.getCode(), retryAfter == null ? null : retryAfter.getValue(),
          summary(head, response.getCode()));
    } finally {
      if (!complete) {
        request.cancel(); // more than we read, or a failure: drop the connection rather than drain it
      }
      try {
        response.close();
      } catch (IOException e) {
        // the connection was dropped on purpose, or is broken: nothing of the answer is lost
      }
    }
  }

  /** The first characters of an error body on one line; nothing for a success. */
  private static String summary(byte[] head, int status) {
    if (status >= 200 && status < 300) {
      return "";
    }
    String s = new String(head, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
    return s.length() > ERROR_BODY_CHARS ? s.substring(0, ERROR_BODY_CHARS) + "…" : s;
  }

  private void sign(HttpPost request, byte[] body, String messageId) {
    switch (signing) {
      case HMAC_SHA256 -> request.setHeader(signatureHeader,
          "sha256=" + HexFormat.of().formatHex(HmacSha256.mac(signingKey, body)));
      case STANDARD -> {
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        byte[] mac = HmacSha256.mac(signingKey,
            (messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8), body);
        request.setHeader("webhook-id", messageId);
        request.setHeader("webhook-timestamp", timestamp);
        request.setHeader("webhook-signature", "v1," + Base64.getEncoder().encodeToString(mac));
      }
      default -> {
        // unsigned
      }
    }
  }

  private static String describe(IOException e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /** Scheme, host and port: safe to show. */
  /**
   * Resolves the target through the SSRF guard and opens a TCP connection to it, then closes it
   * without sending a request: the receiver sees no delivery. Names only the origin (scheme, host,
   * port), never the URL's path or query, which may carry a token.
   *
   * @param timeout the connect timeout
   * @return ok, or failed naming the origin and why (refused by the guard, unknown host, no
   *     connection)
   * @throws InterruptedException never in practice; a blocking connect is bounded by {@code timeout}
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(Duration timeout) throws InterruptedException {
    return dev.sluice.internal.TcpCheck.check("webhook destination '" + name + "'", url, timeout, guard::resolve);
  }

  static String origin(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      client.close();
    } catch (IOException e) {
      // closing sockets of a pool that is going away; nothing to keep
    }
  }

  @Override
  public String toString() {
    return "WebhookDestination{" + name + " -> " + origin + ", mode=" + mode + "}";
  }

  /**
   * Settings of a {@link WebhookDestination}; every value is checked by {@link #build()}. Not
   * thread-safe; a destination built from it is.
   */
  public static final class Builder {
    private final String name;
    private final URI url;
    private Mode mode = Mode.BATCH;
    private boolean envelope = true;
    private Map<String, String> headers = Map.of();
    private Signing signing = Signing.NONE;
    private String signingSecret;
    private String signatureHeader = "X-Sluice-Signature";
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private List<String> allowedTargets = List.of();
    private TargetGuard.Resolver resolver = TargetGuard::systemResolve;
    private ObjectMapper mapper = new ObjectMapper();
    private Clock clock = Clock.systemUTC();

    private Builder(String name, URI url) {
      this.name = name;
      this.url = url;
    }

    /**
     * Default {@link Mode#BATCH}.
     *
     * @param value the mode
     * @return this builder
     */
    public Builder mode(Mode value) {
      this.mode = value;
      return this;
    }

    /**
     * Wrap each record in an envelope with key, idempotency key and metadata; default true.
     *
     * @param value whether to wrap records
     * @return this builder
     */
    public Builder envelope(boolean value) {
      this.envelope = value;
      return this;
    }

    /**
     * Extra request headers (values are never logged).
     *
     * @param value header names to values; copied, replacing those given before
     * @return this builder
     */
    public Builder headers(Map<String, String> value) {
      this.headers = Map.copyOf(value);
      return this;
    }

    /**
     * Signs every request. For {@link Signing#STANDARD} the secret is {@code whsec_<base64>}; for
     * {@link Signing#HMAC_SHA256} any text, used as UTF-8 bytes.
     *
     * @param scheme the signing scheme; {@link Signing#NONE} for none (the default)
     * @param secret the secret; never logged
     * @return this builder
     */
    public Builder signing(Signing scheme, String secret) {
      this.signing = scheme;
      this.signingSecret = secret;
      return this;
    }

    /**
     * The header of {@link Signing#HMAC_SHA256}; default {@code X-Sluice-Signature}.
     *
     * @param value an HTTP header name
     * @return this builder
     */
    public Builder signatureHeader(String value) {
      this.signatureHeader = value;
      return this;
    }

    /**
     * Default 10 s.
     *
     * @param value the connect timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration value) {
      this.connectTimeout = value;
      return this;
    }

    /**
     * The whole exchange, the answer's body included; default 30 s.
     *
     * @param value the request timeout
     * @return this builder
     */
    public Builder requestTimeout(Duration value) {
      this.requestTimeout = value;
      return this;
    }

    /**
     * Host names, IP addresses and CIDR blocks that may be internal (loopback, private,
     * link-local, ...), which the SSRF guard refuses otherwise; e.g. {@code ["127.0.0.1"]} for a
     * receiver on this machine, {@code ["hooks.internal", "10.20.0.0/16"]}.
     *
     * @param value the allowed hosts, addresses and blocks; copied
     * @return this builder
     */
    public Builder allowedTargets(List<String> value) {
      this.allowedTargets = List.copyOf(value);
      return this;
    }

    /** How host names are resolved; tests inject their own. */
    Builder resolver(TargetGuard.Resolver value) {
      this.resolver = Objects.requireNonNull(value, "resolver");
      return this;
    }

    /**
     * The JSON mapper bodies are written with. Default a plain {@code new ObjectMapper()}.
     *
     * @param value the mapper
     * @return this builder
     */
    public Builder mapper(ObjectMapper value) {
      this.mapper = value;
      return this;
    }

    /**
     * Stamps Standard Webhooks timestamps and turns Retry-After dates into delays.
     *
     * @param value the clock; default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock value) {
      this.clock = value;
      return this;
    }

    /**
     * Checks the settings and builds the destination.
     *
     * @return the destination, thread-safe
     * @throws IllegalArgumentException naming the setting that is invalid (never showing a
     *     secret, a header value or the URL's path)
     */
    public WebhookDestination build() {
      return new WebhookDestination(this);
    }
  }
}
