package dev.sluice.connectors.http;

import dev.sluice.delivery.Sleeper;
import dev.sluice.destinations.webhook.RetryAfter;
import dev.sluice.spi.ReadContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.random.RandomGenerator;

/**
 * Sends the http connector's requests: paces them to the configured rate, authenticates and signs
 * each attempt, follows redirects within the origin, retries what the status actions say to retry
 * (honouring {@code Retry-After}, else exponential backoff with jitter), renews OAuth tokens once
 * after a 401, and reports every attempt, masked, to the run's request log.
 *
 * <p>Thread-safe: concurrent reads share it.
 */
final class HttpCaller {
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final int MAX_REDIRECTS = 5;
  static final int BODY_EXCERPT = 512;

  /** Retry timing. */
  record RetrySettings(int maxRetries, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    static final RetrySettings DEFAULTS =
        new RetrySettings(5, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(5));
  }

  /** An answer, read whole. */
  record Response(int status, HttpHeaders headers, byte[] body, URI uri, boolean ignored) {
    String contentType() {
      return headers.firstValue("Content-Type").orElse("");
    }
  }

  /** The read was cancelled between attempts. */
  static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  private final HttpClient client;
  private final RequestAuth auth;
  private final RequestSigner signer;
  private final Redactor redactor;
  private final StatusActions actions;
  private final RetrySettings retry;
  private final Duration requestTimeout;
  private final long maxResponseBytes;
  private final Duration minInterval; // null: no rate limit
  private final Clock clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private Instant nextSlot; // guarded by this

  HttpCaller(HttpClient client, RequestAuth auth, RequestSigner signer, Redactor redactor, StatusActions actions,
      RetrySettings retry, Duration requestTimeout, long maxResponseBytes, Double maxRequestsPerSecond,
      Clock clock, Sleeper sleeper, RandomGenerator random) {
    this.client = client;
    this.auth = Objects.requireNonNull(auth);
    this.signer = signer;
    this.redactor = redactor;
    this.actions = actions;
    this.retry = retry;
    this.requestTimeout = requestTimeout;
    this.maxResponseBytes = maxResponseBytes;
    this.minInterval = maxRequestsPerSecond == null ? null
        : Duration.ofNanos(Math.max(1, (long) (1_000_000_000L / maxRequestsPerSecond)));
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
  }

  /**
   * Sends {@code request} until it succeeds, is ignored, or fails for good.
   *
   * @param allowOtherOrigins whether redirects may lead to another scheme, host or port
   * @throws HttpSourceException naming the request, the status and the start of the body, masked
   * @throws Cancelled when the run was cancelled before an attempt
   */
  Response send(OutgoingRequest request, Template.Vars vars, ReadContext context, boolean allowOtherOrigins)
      throws IOException, InterruptedException {
    OutgoingRequest current = request;
    int retries = 0;
    int redirects = 0;
    boolean renewed = false;
    while (true) {
      if (context.isCancelled()) {
        throw new Cancelled();
      }
      pace();
      OutgoingRequest attempt = current.copy();
      auth.apply(attempt, vars, context.requestLog());
      sign(attempt);
      String url = redactor.mask(attempt.uri().toString());
      long started = System.nanoTime();
      Response response;
      try {
        response = exchange(attempt);
      } catch (InterruptedException e) {
        context.requestLog().request(attempt.method, url, "interrupted");
        throw e;
      } catch (IOException e) {
        String why = redactor.mask(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        if (retries < retry.maxRetries() && !(e instanceof ResponseTooLarge)) {
          Duration wait = backoff(retries);
          retries++;
          note(context, attempt.method, url, why + "; retry " + retries + "/" + retry.maxRetries() + " in " + human(wait));
          sleeper.sleep(wait);
          continue;
        }
        note(context, attempt.method, url, why);
        throw new HttpSourceException(attempt.method, url, -1, attempt.method + " " + url + " failed"
            + (retries > 0 ? " after " + retries + " retries" : "") + ": " + why, sanitized(e));
      }
      int status = response.status();
      String took = human(Duration.ofNanos(System.nanoTime() - started));
      if (status / 100 == 2) {
        note(context, attempt.method, url, status + ", " + size(response.body().length) + ", " + took);
        return response;
      }
      if (REDIRECTS.contains(status) && response.headers().firstValue("Location").isPresent()) {
        URI target = attempt.uri().resolve(response.headers().firstValue("Location").get().trim());
        String to = redactor.mask(target.toString());
        note(context, attempt.method, url, status + " → " + to);
        if (++redirects > MAX_REDIRECTS) {
          throw failure(attempt, url, response, "more than " + MAX_REDIRECTS + " redirects");
        }
        if (!allowOtherOrigins && !OutgoingRequest.origin(target).equals(OutgoingRequest.origin(attempt.uri()))) {
          throw failure(attempt, url, response, "redirected to another origin (" + to + "), refused so that"
              + " credentials don't leak; set allowOtherHosts: true if that host is trusted");
        }
        boolean toGet = status == 303 || ((status == 301 || status == 302) && attempt.method.equals("POST"));
        current = current.withUri(target, toGet ? "GET" : current.method, !toGet);
        continue;
      }
      if (status == 401 && !renewed && auth.renewAfterUnauthorized(attempt)) {
        renewed = true;
        note(context, attempt.method, url, "401, renewing the access token and trying again");
        continue;
      }
      if (status == 401 && renewed) {
        note(context, attempt.method, url, "401 again");
        throw failure(attempt, url, response, "401 Unauthorized again after renewing the access token: the"
            + " client is not allowed this request (check its scopes and the credentials)");
      }
      StatusActions.Action action = actions.of(status);
      if (action == StatusActions.Action.IGNORE) {
        note(context, attempt.method, url, status + ", ignored (onStatus)");
        return new Response(status, response.headers(), response.body(), response.uri(), true);
      }
      if (action == StatusActions.Action.RETRY && retries < retry.maxRetries()) {
        Duration wait = retryWait(response, retries);
        if (wait.compareTo(retry.maxRetryAfter()) > 0) {
          note(context, attempt.method, url, status + ", Retry-After " + human(wait));
          throw failure(attempt, url, response, "the server asked to wait " + human(wait)
              + " (Retry-After), longer than retry.maxRetryAfter " + human(retry.maxRetryAfter()));
        }
        retries++;
        note(context, attempt.method, url, status + ", retry " + retries + "/" + retry.maxRetries() + " in " + human(wait));
        sleeper.sleep(wait);
        continue;
      }
      note(context, attempt.method, url, String.valueOf(status));
      throw failure(attempt, url, response, action == StatusActions.Action.RETRY
          ? "gave up after " + retries + " retries" : null);
    }
  }

  private void note(ReadContext context, String method, String url, String outcome) {
    context.requestLog().request(method, url, outcome);
    if (context.logger().isDebugEnabled()) {
      context.logger().debug("{} {} → {}", method, url, outcome);
    }
  }

  private HttpSourceException failure(OutgoingRequest attempt, String url, Response response, String why) {
    String body = new String(response.body(), 0, Math.min(response.body().length, BODY_EXCERPT * 4), StandardCharsets.UTF_8);
    if (body.length() > BODY_EXCERPT) {
      body = body.substring(0, BODY_EXCERPT) + "…";
    }
    body = redactor.mask(body.strip());
    return new HttpSourceException(attempt.method, url, response.status(), attempt.method + " " + url + " answered "
        + response.status() + (why == null ? "" : " (" + why + ")") + (body.isEmpty() ? "" : ": " + body), null);
  }

  /** The exception without secrets in its message: its class, masked message and stack. */
  private IOException sanitized(IOException e) {
    IOException copy = new IOException(e.getClass().getName() + ": " + redactor.mask(String.valueOf(e.getMessage())));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  private Duration retryWait(Response response, int retries) {
    if (response.status() == 429 || response.status() == 503) {
      var after = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant());
      if (after.isPresent()) {
        // A little jitter on top, so that clients told the same time don't return in lockstep.
        long extraMillis = Math.min(1000, after.get().toMillis() / 10);
        return after.get().plusMillis(extraMillis == 0 ? 0 : random.nextLong(extraMillis + 1));
      }
    }
    return backoff(retries);
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  Duration backoff(int retries) {
    long base = retry.initialBackoff().toMillis();
    long cap = retry.maxBackoff().toMillis();
    long d = retries >= 30 ? cap : Math.min(cap, base << retries);
    long half = d / 2;
    return Duration.ofMillis(half + (d - half == 0 ? 0 : random.nextLong(d - half + 1)));
  }

  private void pace() throws InterruptedException {
    if (minInterval == null) {
      return;
    }
    synchronized (this) {
      Instant now = clock.instant();
      if (nextSlot != null && now.isBefore(nextSlot)) {
        sleeper.sleep(Duration.between(now, nextSlot));
        now = nextSlot;
      }
      nextSlot = now.plus(minInterval);
    }
  }

  private void sign(OutgoingRequest attempt) {
    if (signer == null) {
      return;
    }
    Map<String, String> added;
    String url = redactor.mask(attempt.uri().toString());
    try {
      added = signer.sign(attempt.signable());
    } catch (Exception e) {
      throw new HttpSourceException(attempt.method, url, -1, "the request signer failed to sign " + attempt.method
          + " " + url + ": " + redactor.mask(String.valueOf(e.getMessage())), null);
    }
    if (added == null) {
      throw new HttpSourceException(attempt.method, url, -1, "the request signer returned null instead of headers for "
          + attempt.method + " " + url, null);
    }
    added.forEach(attempt::setHeader);
  }

  private Response exchange(OutgoingRequest attempt) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(attempt.uri()).timeout(requestTimeout);
    attempt.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
    byte[] body = attempt.body();
    b.method(attempt.method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<InputStream> response = send(client, b.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      byte[] bytes = readLimited(in);
      return new Response(response.statusCode(), response.headers(), bytes, response.uri(), false);
    } catch (InterruptedIOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("interrupted while reading the response");
      }
      throw e;
    }
  }

  /**
   * Sends and waits like {@link HttpClient#send}, but an interrupt cancels the exchange in flight
   * instead of leaving it running.
   */
  static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<T>> future = client.sendAsync(request, handler);
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause);
    }
  }

  private byte[] readLimited(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16384];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) != -1) {
      total += n;
      if (total > maxResponseBytes) {
        throw new ResponseTooLarge("the response is larger than maxResponseBytes (" + maxResponseBytes + " bytes)");
      }
      out.write(buffer, 0, n);
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedIOException("interrupted");
      }
    }
    return out.toByteArray();
  }

  /** Not retried: the same request would get the same answer. */
  private static final class ResponseTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseTooLarge(String message) {
      super(message);
    }
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms < 120_000) {
      return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0)) + " s";
    }
    return d.toMinutes() + " min";
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    return String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1024.0);
  }

}
