package dev.sluice.connectors.google.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.sluice.delivery.Sleeper;
import dev.sluice.destinations.webhook.RetryAfter;
import dev.sluice.spi.ReadContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Calls one Google REST API with JSON bodies: authenticates with {@link GoogleCredentials}, renews
 * the token once after a 401, retries what the API's {@link Classifier} says is transient (waiting
 * for {@code Retry-After}, the classifier's wait, or exponential backoff from 1 s doubling to 32 s
 * with jitter — Google's documented back-off), reports every attempt to the run's request log, and
 * turns permanent errors into a {@link GoogleApiException} carrying Google's message and what to fix.
 *
 * <p>Thread-safe.
 */
public final class GoogleApi {

  /** Google's JSON error body: {@code {"error": {"code", "message", "status", "errors": [{"reason"}]}}}. */
  public record GoogleError(int httpStatus, String status, String reason, String message) {
    static GoogleError parse(int httpStatus, String body, ObjectMapper mapper) {
      JsonNode root;
      try {
        root = mapper.readTree(body);
      } catch (JsonProcessingException e) {
        root = MissingNode.getInstance();
      }
      JsonNode err = root == null ? MissingNode.getInstance() : root.path("error");
      String status = err.path("status").asText("");
      String reason = err.path("errors").path(0).path("reason").asText("");
      String message = err.path("message").asText("");
      if (message.isEmpty()) {
        message = GoogleCredentials.excerpt(body == null ? "" : body.strip());
      }
      return new GoogleError(httpStatus, status, reason, message);
    }
  }

  /** What to do about an error answer. */
  public record Decision(boolean shouldRetry, Duration minWait, String hint, boolean transientError) {
    /** Retry with backoff. */
    public static Decision backoff() {
      return new Decision(true, Duration.ZERO, "", true);
    }

    /** Retry after at least {@code wait}. */
    public static Decision retryAfter(Duration wait) {
      return new Decision(true, wait, "", true);
    }

    /** A permanent error: fail the run; {@code hint} says what to fix. */
    public static Decision fail(String hint) {
      return new Decision(false, Duration.ZERO, hint, false);
    }

    /** A transient error not worth waiting for in this run (a daily quota): fail it, retryable. */
    public static Decision stop(String hint) {
      return new Decision(false, Duration.ZERO, hint, true);
    }
  }

  /** Classifies error answers of one API. */
  @FunctionalInterface
  public interface Classifier {
    Decision classify(GoogleError error);
  }

  /** The read was cancelled between attempts. */
  public static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** Retry limits. */
  public record Retry(int maxRetries, Duration maxWait) {}

  private final HttpClient client;
  private final GoogleCredentials credentials;
  private final ObjectMapper mapper;
  private final Classifier classifier;
  private final Retry retry;
  private final Duration requestTimeout;
  private final Clock clock;
  private final Sleeper sleeper;
  private final RandomGenerator random;

  public GoogleApi(HttpClient client, GoogleCredentials credentials, ObjectMapper mapper, Classifier classifier,
      Retry retry, Duration requestTimeout, Clock clock, Sleeper sleeper, RandomGenerator random) {
    this.client = client;
    this.credentials = credentials;
    this.mapper = mapper;
    this.classifier = classifier;
    this.retry = retry;
    this.requestTimeout = requestTimeout;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
  }

  public GoogleCredentials credentials() {
    return credentials;
  }

  /** An answer: its JSON body and a summary for the request log. */
  public record Answer(JsonNode body, int status, int bytes) {}

  /**
   * Sends a request until it succeeds or fails for good.
   *
   * @param label the log's method column ({@code POST}, {@code DRY-RUN})
   * @param body the JSON body for POST, or null for GET
   * @param describe turns a successful answer into the request log's outcome
   * @throws GoogleApiException on a permanent error, or a transient one that outlasted the retries
   * @throws Cancelled when the run was cancelled before an attempt
   */
  public Answer send(String label, URI uri, JsonNode body, ReadContext context,
      java.util.function.Function<Answer, String> describe) throws InterruptedException {
    int retries = 0;
    boolean renewed = false;
    String target = uri.toString();
    while (true) {
      if (context.isCancelled()) {
        throw new Cancelled();
      }
      String token = credentials.accessToken(context.requestLog());
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout)
          .header("Authorization", "Bearer " + token)
          .header("Accept", "application/json");
      if (body != null) {
        b.header("Content-Type", "application/json; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
      } else {
        b.GET();
      }
      String method = body != null ? "POST" : "GET";
      HttpResponse<String> response;
      try {
        response = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (IOException e) {
        String why = credentials.mask(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        if (retries < retry.maxRetries()) {
          Duration wait = backoff(retries);
          retries++;
          note(context, label, target, why + "; retry " + retries + "/" + retry.maxRetries() + " in " + human(wait));
          sleeper.sleep(wait);
          continue;
        }
        note(context, label, target, why);
        throw new GoogleApiException(-1, "", true, method + " " + target + " failed after " + retries
            + " retries: " + why, null);
      }
      int status = response.statusCode();
      String text = response.body() == null ? "" : response.body();
      if (status / 100 == 2) {
        JsonNode json;
        try {
          json = mapper.readTree(text);
        } catch (JsonProcessingException e) {
          json = null;
        }
        if (json == null || !json.isObject()) {
          note(context, label, target, status + ", not a JSON object");
          throw new GoogleApiException(status, "", false, method + " " + target + " answered " + status
              + " with a body that is not a JSON object: " + credentials.mask(GoogleCredentials.excerpt(text))
              + " (is the endpoint option pointing at the right API?)", null);
        }
        Answer answer = new Answer(json, status, text.length());
        note(context, label, target, describe.apply(answer));
        return answer;
      }
      if (status == 401 && !renewed) {
        renewed = true;
        credentials.invalidate(token);
        note(context, label, target, "401, renewing the access token and trying again");
        continue;
      }
      GoogleError error = GoogleError.parse(status, text, mapper);
      Decision decision = status == 401
          ? Decision.fail("The token of " + credentials.description() + " was refused twice: check the"
              + " credentials and that the API is enabled in their Google Cloud project.")
          : classifier.classify(error);
      String what = status + (error.status().isEmpty() ? "" : " " + error.status())
          + (error.reason().isEmpty() ? "" : " (" + error.reason() + ")");
      if (decision.shouldRetry() && retries < retry.maxRetries()) {
        Duration wait = backoff(retries);
        Optional<Duration> header = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null),
            clock.instant());
        if (header.isPresent() && header.get().compareTo(wait) > 0) {
          wait = header.get();
        }
        if (decision.minWait().compareTo(wait) > 0) {
          wait = decision.minWait();
        }
        if (wait.compareTo(retry.maxWait()) > 0) {
          note(context, label, target, what + ", asked to wait " + human(wait));
          throw new GoogleApiException(status, reasonOf(error), true, method + " " + target + " failed: " + what
              + ": " + credentials.mask(error.message()) + ". The wait it needs (" + human(wait)
              + ") is longer than maxRetryWait " + human(retry.maxWait())
              + "; the next run resumes from the last checkpoint.", null);
        }
        retries++;
        note(context, label, target, what + ", retry " + retries + "/" + retry.maxRetries() + " in " + human(wait));
        sleeper.sleep(wait);
        continue;
      }
      note(context, label, target, what);
      String hint = decision.shouldRetry()
          ? "Gave up after " + retries + " retries; the next run resumes from the last checkpoint."
          : decision.hint();
      throw new GoogleApiException(status, reasonOf(error), decision.transientError(), method + " " + target + " failed: "
          + what + ": " + credentials.mask(error.message()) + (hint.isEmpty() ? "" : ". " + hint), null);
    }
  }

  private static String reasonOf(GoogleError e) {
    return e.reason().isEmpty() ? e.status() : e.reason();
  }

  private Duration backoff(int retries) {
    long base = Math.min(32_000L, 1000L << Math.min(retries, 5));
    long jittered = base / 2 + (long) (random.nextDouble() * (base / 2));
    return Duration.ofMillis(jittered);
  }

  private static void note(ReadContext context, String method, String target, String outcome) {
    context.requestLog().request(method, target, outcome);
    if (context.logger().isDebugEnabled()) {
      context.logger().debug("{} {} → {}", method, target, outcome);
    }
  }

  /**
   * Runs one request of a connection check: {@link #send} with a context that counts as cancelled
   * once {@code timeout} has passed (so retries stop) and a request timeout no longer than it.
   *
   * @param what names the connector and the call in messages, e.g. {@code "ga4 connector: runReport"}
   * @param uri the request
   * @param body JSON for POST, null for GET
   * @param timeout the check's bound
   * @param details safe facts for the result
   * @return ok, or failed with Google's status, reason and hint (credentials masked)
   * @throws InterruptedException when interrupted while waiting
   */
  public dev.sluice.spi.ConnectionCheckResult check(String what, URI uri, JsonNode body, Duration timeout,
      java.util.Map<String, String> details) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ReadContext context = new ReadContext() {
      @Override
      public String pipeline() {
        return "connection-check";
      }

      @Override
      public String runId() {
        return "connection-check";
      }

      @Override
      public JsonNode parameters() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(); // a check has none
      }

      @Override
      public Clock clock() {
        return clock;
      }

      @Override
      public org.slf4j.Logger logger() {
        return org.slf4j.LoggerFactory.getLogger(GoogleApi.class);
      }

      @Override
      public boolean isCancelled() {
        return System.nanoTime() - deadline > 0;
      }
    };
    try {
      Answer a = send("CHECK", uri, body, context, x -> x.status() + ", connection check");
      return dev.sluice.spi.ConnectionCheckResult.ok(what + " at " + uri.getScheme() + "://" + uri.getAuthority()
          + " answered " + a.status() + " with the credentials of " + credentials.description(), details);
    } catch (Cancelled e) {
      return dev.sluice.spi.ConnectionCheckResult.failed(what + " at " + uri.getScheme() + "://" + uri.getAuthority()
          + " got no answer within " + human(timeout), details);
    } catch (RuntimeException e) {
      return dev.sluice.spi.ConnectionCheckResult.failed(what + ": " + credentials.mask(String.valueOf(e.getMessage())),
          details);
    }
  }

  /** A duration for people: {@code 850ms}, {@code 2s}, {@code 3m20s}. */
  public static String human(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
  }
}
