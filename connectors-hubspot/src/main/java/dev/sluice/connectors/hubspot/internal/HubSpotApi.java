package dev.sluice.connectors.hubspot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.connectors.http.OAuthTokens;
import dev.sluice.connectors.http.Redactor;
import dev.sluice.connectors.hubspot.HubSpotException;
import dev.sluice.delivery.Sleeper;
import dev.sluice.destinations.webhook.RetryAfter;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ReadContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls the HubSpot API: authentication (private-app token, or OAuth refresh tokens through core's
 * {@link OAuthTokens}, whose rotated refresh tokens are written to the secret store at once),
 * retries with backoff on the documented retryable answers (429 except the daily limit, 5xx,
 * network failures), {@code Retry-After}, pacing of the search endpoint, and error messages that
 * carry HubSpot's own message and what to fix. Tokens never appear in messages or request logs.
 *
 * <p>Vendor facts relied on (developers.hubspot.com, "API usage guidelines and limits", "CRM
 * search", "Error handling"): error bodies are {@code {"status":"error","message":...,
 * "correlationId":...,"category":...}}; 429 bodies add {@code "errorType":"RATE_LIMIT"} and a
 * {@code policyName} ({@code SECONDLY}, {@code TEN_SECONDLY_ROLLING}, {@code DAILY}); the search
 * endpoints have their own per-second limit; 401 means bad or expired credentials and 403 with
 * {@code MISSING_SCOPES} names the {@code requiredGranularScopes}.
 *
 * <p>Thread-safe: requests may be made from several reads at once.
 */
public final class HubSpotApi implements AutoCloseable {
  private static final int BODY_EXCERPT = 400;
  private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);

  private final HubSpotOptions options;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Redactor redactor = new Redactor();
  private final ExecutorService executor;
  private final HttpClient client;
  private final OAuthTokens oauth; // null with a private-app token
  private final Duration searchInterval; // null: no pacing
  private final AtomicInteger requests = new AtomicInteger();
  private Instant nextSearchSlot; // guarded by this
  private Instant notBefore; // guarded by this: the account's rolling window is used up until then

  public HubSpotApi(HubSpotOptions options, ObjectMapper mapper, Clock clock, Sleeper sleeper, PluginSecrets secrets) {
    this.options = options;
    this.mapper = mapper;
    this.clock = clock;
    this.sleeper = sleeper;
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "sluice-hubspot-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .connectTimeout(options.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor)
        .build();
    if (options.oauth()) {
      redactor.addSecret(options.clientSecret());
      this.oauth = OAuthTokens.builder(options.tokenUrl(), client, clock)
          .clientId(options.clientId())
          .clientSecret(options.clientSecret())
          // HubSpot's token endpoint takes client_id and client_secret as form parameters.
          .clientAuthentication(OAuthTokens.ClientAuthentication.REQUEST_BODY)
          .refreshToken(secrets, options.refreshTokenSecret())
          .requestTimeout(options.requestTimeout())
          .sleeper(sleeper)
          .redactor(redactor)
          .build();
    } else {
      redactor.addSecret(options.token());
      this.oauth = null;
    }
    this.searchInterval = options.searchRequestsPerSecond() <= 0 ? null
        : Duration.ofNanos((long) (1_000_000_000L / options.searchRequestsPerSecond()));
  }

  /** The run was cancelled before a request: the read stops where it is (its checkpoints stand). */
  public static final class Cancelled extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Cancelled() {
      super("cancelled", null, false, false);
    }
  }

  /** How many HTTP requests to the API (not the token endpoint) were sent, retries included. */
  public int requestCount() {
    return requests.get();
  }

  /** Masks every secret this client knows of in {@code text}. */
  public String mask(String text) {
    return redactor.mask(text);
  }

  /** GET {@code pathAndQuery} (starting with '/'), retried as documented; the parsed JSON answer. */
  public JsonNode get(String pathAndQuery, ReadContext context) throws IOException, InterruptedException {
    return send("GET", pathAndQuery, null, false, context);
  }

  /** POST {@code body} as JSON; {@code search} paces the request to the search endpoint's limit. */
  public JsonNode post(String path, JsonNode body, boolean search, ReadContext context)
      throws IOException, InterruptedException {
    return send("POST", path, mapper.writeValueAsString(body), search, context);
  }

  private JsonNode send(String method, String pathAndQuery, String body, boolean search, ReadContext context)
      throws IOException, InterruptedException {
    URI uri = URI.create(options.baseUrl() + pathAndQuery);
    String shown = method + " " + pathOnly(pathAndQuery);
    int retries = 0;
    boolean renewed = false;
    Duration backoff = INITIAL_BACKOFF;
    while (true) {
      if (context.isCancelled()) {
        throw new Cancelled();
      }
      waitForWindow();
      if (search) {
        pace();
      }
      String token = oauth != null ? oauth.accessToken(context.requestLog()) : options.token();
      HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
          .timeout(options.requestTimeout())
          .header("Authorization", "Bearer " + token)
          .header("Accept", "application/json");
      if (body != null) {
        rb.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      } else {
        rb.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<byte[]> response;
      requests.incrementAndGet();
      try {
        response = client.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        String why = redactor.mask(String.valueOf(e));
        if (retries >= options.maxRetries()) {
          context.requestLog().request(method, maskedUrl(uri), "failed: " + why);
          throw new HubSpotException("HubSpot " + shown + " could not be reached after " + (retries + 1)
              + " attempts (" + why + "); check baseUrl '" + options.baseUrl() + "' and the network", -1, null, true);
        }
        context.requestLog().request(method, maskedUrl(uri), "failed: " + why + ", retrying in " + backoff.toMillis() + " ms");
        sleeper.sleep(backoff);
        backoff = next(backoff);
        retries++;
        continue;
      }
      int status = response.statusCode();
      String text = new String(response.body(), StandardCharsets.UTF_8);
      noteRemaining(response);
      if (status / 100 == 2) {
        context.requestLog().request(method, maskedUrl(uri), status + ", " + response.body().length + " bytes");
        JsonNode json;
        try {
          json = text.isBlank() ? mapper.createObjectNode() : mapper.readTree(text);
        } catch (IOException e) {
          throw new HubSpotException("HubSpot " + shown + " answered " + status + " with a body that is not JSON: "
              + excerpt(text), status, null, false);
        }
        return json;
      }
      JsonNode error = parse(text);
      String category = error.path("category").asText("");
      String message = redactor.mask(error.path("message").asText(""));
      if (status == 401 && oauth != null && !renewed) {
        // An access token HubSpot no longer accepts (expired early, revoked): renew once.
        context.requestLog().request(method, maskedUrl(uri), "401, renewing the access token");
        oauth.invalidate(token);
        renewed = true;
        continue;
      }
      if (status == 429) {
        String policy = error.path("policyName").asText("");
        if (policy.equalsIgnoreCase("DAILY")) {
          context.requestLog().request(method, maskedUrl(uri), "429 " + policy);
          throw new HubSpotException("HubSpot " + shown + " answered 429: the account's DAILY API limit is used up ("
              + message + "); it resets at midnight in the account's time zone. The run stops here and the"
              + " next run continues from the last checkpoint; lower the schedule's frequency or ask HubSpot for"
              + " a higher limit", status, category, true);
        }
        Duration wait = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant())
            .orElse(policyWait(policy, search, backoff));
        if (wait.compareTo(options.maxRetryWait()) > 0) {
          wait = options.maxRetryWait();
        }
        if (retries >= options.maxRetries()) {
          context.requestLog().request(method, maskedUrl(uri), "429 " + policy);
          throw new HubSpotException("HubSpot " + shown + " kept answering 429 (rate limit"
              + (policy.isEmpty() ? "" : " " + policy) + ": " + message + ") after " + retries
              + " retries; other apps of the account may be using the shared limit. The next run continues"
              + " from the last checkpoint", status, category, true);
        }
        context.requestLog().request(method, maskedUrl(uri), "429 " + (policy.isEmpty() ? "" : policy + " ")
            + "rate limit, retrying in " + wait.toMillis() + " ms");
        sleeper.sleep(wait);
        backoff = next(backoff);
        retries++;
        continue;
      }
      if (status >= 500 && status != 501) {
        if (retries >= options.maxRetries()) {
          context.requestLog().request(method, maskedUrl(uri), String.valueOf(status));
          throw new HubSpotException("HubSpot " + shown + " kept failing with " + status + " after " + retries
              + " retries: " + describe(error, text) + ". HubSpot may be having an outage (status.hubspot.com);"
              + " the next run continues from the last checkpoint", status, category, true);
        }
        Duration wait = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant())
            .orElse(backoff);
        if (wait.compareTo(options.maxRetryWait()) > 0) {
          wait = options.maxRetryWait();
        }
        context.requestLog().request(method, maskedUrl(uri), status + ", retrying in " + wait.toMillis() + " ms");
        sleeper.sleep(wait);
        backoff = next(backoff);
        retries++;
        continue;
      }
      context.requestLog().request(method, maskedUrl(uri), String.valueOf(status) + (category.isEmpty() ? "" : " " + category));
      throw permanent(shown, status, category, error, text);
    }
  }

  private HubSpotException permanent(String shown, int status, String category, JsonNode error, String text) {
    String what = "HubSpot " + shown + " answered " + status + (category.isEmpty() ? "" : " " + category) + ": "
        + describe(error, text);
    String fix;
    if (status == 401) {
      fix = options.oauth()
          ? "the OAuth access token was refused even after renewal: check clientId/clientSecret and that the app is"
              + " still installed in the account (authorize again and store the new refresh token with `sluice secret set "
              + options.refreshTokenSecret() + "`)"
          : "the private-app token is wrong, expired or was rotated: copy the current access token of the private app"
              + " (Settings > Integrations > Private Apps) into the secret behind option 'token'";
    } else if (status == 403) {
      List<String> scopes = new ArrayList<>();
      for (JsonNode e : error.path("errors")) {
        for (JsonNode s : e.path("context").path("requiredGranularScopes")) {
          scopes.add(s.asText());
        }
        for (JsonNode s : e.path("context").path("requiredScopes")) {
          scopes.add(s.asText());
        }
      }
      fix = "the app lacks a permission: grant it " + (scopes.isEmpty() ? "the read scope of '" + options.object() + "'"
          : "the scope(s) " + String.join(", ", scopes)) + " and, for OAuth apps, authorize again";
    } else if (status == 404 || error.path("message").asText("").contains("object type")) {
      fix = "check option 'object' ('" + options.object() + "'): use contacts, companies, deals, tickets or a custom"
          + " object's type id such as 2-1234567 (GET /crm/v3/schemas lists them), and option 'associations'";
    } else if (status == 400) {
      fix = "the request was refused as invalid: check options 'properties', 'associations' and 'object'";
    } else {
      fix = "see HubSpot's message above";
    }
    return new HubSpotException(what + "; " + fix, status, category, false);
  }

  private String describe(JsonNode error, String text) {
    String message = error.path("message").asText("");
    if (message.isEmpty()) {
      return excerpt(text);
    }
    String correlation = error.path("correlationId").asText("");
    return redactor.mask(message) + (correlation.isEmpty() ? "" : " (correlationId " + correlation + ")");
  }

  private static Duration policyWait(String policy, boolean search, Duration backoff) {
    String p = policy.toUpperCase(Locale.ROOT);
    if (p.equals("TEN_SECONDLY_ROLLING")) {
      return Duration.ofSeconds(10); // the window HubSpot counts over
    }
    if (p.equals("SECONDLY") || search) {
      return backoff.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : backoff;
    }
    return backoff;
  }

  private static Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : doubled;
  }

  /**
   * HubSpot reports the account's rolling limit on each answer ({@code X-HubSpot-RateLimit-Remaining}
   * and {@code X-HubSpot-RateLimit-Interval-Milliseconds}); when nothing remains, the next request
   * waits for the window instead of earning a 429.
   */
  private void noteRemaining(HttpResponse<byte[]> response) {
    String remaining = response.headers().firstValue("X-HubSpot-RateLimit-Remaining").orElse(null);
    String interval = response.headers().firstValue("X-HubSpot-RateLimit-Interval-Milliseconds").orElse(null);
    if (remaining == null || interval == null) {
      return;
    }
    try {
      if (Long.parseLong(remaining.trim()) <= 0) {
        long ms = Math.min(Long.parseLong(interval.trim()), options.maxRetryWait().toMillis());
        synchronized (this) {
          notBefore = clock.instant().plusMillis(Math.max(0, ms));
        }
      }
    } catch (NumberFormatException e) {
      // not the documented numbers: ignore them
    }
  }

  private void waitForWindow() throws InterruptedException {
    Duration wait;
    synchronized (this) {
      wait = notBefore == null ? Duration.ZERO : Duration.between(clock.instant(), notBefore);
      notBefore = null;
    }
    if (wait.compareTo(Duration.ZERO) > 0) {
      sleeper.sleep(wait);
    }
  }

  private void pace() throws InterruptedException {
    if (searchInterval == null) {
      return;
    }
    Duration wait;
    synchronized (this) {
      Instant now = clock.instant();
      Instant slot = nextSearchSlot == null || nextSearchSlot.isBefore(now) ? now : nextSearchSlot;
      nextSearchSlot = slot.plus(searchInterval);
      wait = Duration.between(now, slot);
    }
    if (!wait.isZero() && !wait.isNegative()) {
      sleeper.sleep(wait);
    }
  }

  private JsonNode parse(String text) {
    try {
      JsonNode n = mapper.readTree(text);
      return n == null ? mapper.createObjectNode() : n;
    } catch (IOException e) {
      return mapper.createObjectNode();
    }
  }

  private String excerpt(String text) {
    String t = text.length() > BODY_EXCERPT ? text.substring(0, BODY_EXCERPT) + "…" : text;
    return t.isBlank() ? "(empty body)" : redactor.mask(t);
  }

  private String maskedUrl(URI uri) {
    return redactor.mask(uri.toString());
  }

  private static String pathOnly(String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
