package dev.sluice.destinations.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.notify.internal.Dedup;
import dev.sluice.destinations.notify.internal.Failures;
import dev.sluice.destinations.notify.internal.NotifyTemplate;
import dev.sluice.destinations.notify.internal.NotifyTemplate.TemplateException;
import dev.sluice.destinations.notify.internal.Pacer;
import dev.sluice.destinations.notify.internal.Texts;
import dev.sluice.destinations.webhook.RetryAfter;
import dev.sluice.record.Batch;
import dev.sluice.record.FieldPath;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Posts notifications to Slack: one message per record or one digest per batch (and channel),
 * rendered from templates whose record values are escaped for Slack's mrkdwn, through the Web API's
 * {@code chat.postMessage} or an incoming webhook. Created by {@link SlackDestinationProvider}.
 *
 * <p>Delivery: records already in the sent-log are skipped; each accepted message is recorded
 * ({@code check → send → record}). Posts to one channel are paced ({@code minInterval}); a 429 holds
 * the channel for its {@code Retry-After}. Slack's {@code {"ok": false, "error": …}} answers are
 * classified: {@code ratelimited}, {@code internal_error}, {@code fatal_error}, {@code
 * service_unavailable}, {@code request_timeout} are retryable; everything else (e.g. {@code
 * invalid_auth}, {@code channel_not_found}, {@code not_in_channel}, {@code msg_too_long}) is
 * permanent for the record, naming the error. A failure that concerns every message (auth, rate
 * limit, outage) fails the rest of the batch without trying it.
 *
 * <p>Thread-safe: {@code deliver} may run concurrently; pacing is shared. The token and the webhook
 * URL never appear in messages, logs or {@link #toString()}.
 */
public final class SlackDestination implements Destination, dev.sluice.spi.ConnectionCheck {
  /** Slack truncates a message's {@code text} beyond 40,000 characters (chat.postMessage reference). */
  static final int MAX_TEXT = 40_000;
  /** Block Kit: at most 50 blocks per message; a section's text at most 3,000 characters; a header's 150. */
  static final int MAX_BLOCKS = 50;
  static final int MAX_BLOCK_TEXT = 3_000;
  static final int MAX_HEADER_TEXT = 150;

  private static final Pattern CHANNEL = Pattern.compile("[#@]?[A-Za-z0-9][A-Za-z0-9._\\-]{0,79}");
  private static final Set<String> RETRYABLE_ERRORS = Set.of("ratelimited", "rate_limited", "internal_error",
      "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org");
  private static final Set<String> WHOLE_BATCH_ERRORS = Set.of("invalid_auth", "not_authed", "account_inactive",
      "token_revoked", "token_expired", "missing_scope", "no_permission", "ratelimited", "rate_limited",
      "internal_error", "fatal_error", "service_unavailable", "no_service", "invalid_token", "team_disabled");

  /** Mode of delivery. */
  enum Mode { RECORD, DIGEST }

  record Settings(String name, URI endpoint, boolean webhook, String token, String channel, FieldPath channelFrom,
      NotifyTemplate text, NotifyTemplate blocks, Mode mode, int digestLimit, int maxTextLength,
      Duration requestTimeout) {}

  private final Settings s;
  private final HttpClient http;
  private final ObjectMapper mapper;
  private final Clock clock;
  private final Logger logger;
  private final Dedup dedup;
  private final Pacer pacer;

  SlackDestination(Settings settings, HttpClient http, ObjectMapper mapper, Clock clock, Logger logger, Dedup dedup,
      Pacer pacer) {
    this.s = settings;
    this.http = http;
    this.mapper = mapper;
    this.clock = clock;
    this.logger = logger;
    this.dedup = dedup;
    this.pacer = pacer;
  }

  static boolean isChannel(String s) {
    return CHANNEL.matcher(s).matches();
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws Exception {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    Map<Integer, RecordFailure> failures = new TreeMap<>();
    Map<String, List<Integer>> byChannel = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      String channel = channelOf(batch, i, failures);
      if (channel != null) {
        byChannel.computeIfAbsent(channel, c -> new ArrayList<>()).add(i);
      }
    }
    RecordFailure stopped = null;
    if (s.mode() == Mode.RECORD) {
      for (int i = 0; i < batch.size(); i++) {
        if (failures.containsKey(i)) {
          continue;
        }
        String channel = channelOf(batch, i, failures);
        String key = Dedup.key(batch, i, channel);
        if (dedup.alreadySent(key)) {
          continue;
        }
        if (stopped != null) {
          failures.put(i, stopped);
          continue;
        }
        ObjectNode message;
        try {
          message = message(NotifyTemplate.recordContext(mapper, batch, i, s.text() == null
              ? s.blocks().escaping() : s.text().escaping()), channel);
        } catch (TemplateException e) {
          failures.put(i, RecordFailure.permanent(e.getMessage()));
          continue;
        }
        Outcome o = post(channel, message);
        if (o.failure == null) {
          dedup.recordSent(key, logger);
        } else {
          failures.put(i, o.failure);
          if (o.wholeBatch) {
            stopped = o.failure;
          }
        }
      }
    } else {
      for (Map.Entry<String, List<Integer>> group : byChannel.entrySet()) {
        String channel = group.getKey();
        List<Integer> pending = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (int i : group.getValue()) {
          String key = Dedup.key(batch, i, channel);
          if (!dedup.alreadySent(key)) {
            pending.add(i);
            keys.add(key);
          }
        }
        if (pending.isEmpty()) {
          continue;
        }
        if (stopped != null) {
          for (int i : pending) {
            failures.put(i, stopped);
          }
          continue;
        }
        Outcome o;
        try {
          o = post(channel, message(NotifyTemplate.digestContext(mapper, batch, pending, s.digestLimit(),
              s.text() == null ? s.blocks().escaping() : s.text().escaping()), channel));
        } catch (TemplateException e) {
          o = new Outcome(RecordFailure.permanent(e.getMessage()), false);
        }
        if (o.failure == null) {
          keys.forEach(k -> dedup.recordSent(k, logger));
        } else {
          for (int i : pending) {
            Failures.add(failures, i, o.failure);
          }
          if (o.wholeBatch) {
            stopped = o.failure;
          }
        }
      }
    }
    return DeliveryResult.partial(failures);
  }

  @Override
  public void finishRun(RunInfo run, boolean succeeded) {
    dedup.purgeNowAndThen(logger);
  }

  /** The channel of record {@code i}, or null after putting a permanent failure. */
  private String channelOf(Batch batch, int i, Map<Integer, RecordFailure> failures) {
    if (s.webhook()) {
      return "webhook";
    }
    String channel = s.channel();
    if (s.channelFrom() != null) {
      JsonNode v = s.channelFrom().find(batch.get(i).data());
      if (v != null && !v.isNull()) {
        if (!v.isTextual() || !CHANNEL.matcher(v.asText()).matches()) {
          failures.put(i, RecordFailure.permanent("record field '" + s.channelFrom().text() + "' is not a Slack"
              + " channel name or ID (letters, digits, '.', '_', '-', at most 80, optionally after '#' or '@')"));
          return null;
        }
        channel = v.asText();
      }
    }
    if (channel == null) {
      failures.put(i, RecordFailure.permanent("the record has no channel in field '" + s.channelFrom().text()
          + "' and the destination has no default 'channel'"));
    }
    return channel;
  }

  private ObjectNode message(Map<String, Object> context, String channel) {
    ObjectNode m = mapper.createObjectNode();
    if (!s.webhook()) {
      m.put("channel", channel);
    }
    if (s.text() != null) {
      m.put("text", Texts.cut(s.text().render(context), s.maxTextLength()));
    }
    if (s.blocks() != null) {
      String rendered = s.blocks().render(context);
      JsonNode blocks;
      try {
        blocks = mapper.readTree(rendered);
      } catch (IOException e) {
        throw new TemplateException("option 'blocks' did not render to JSON for this record ("
            + e.getClass().getSimpleName() + " at " + location(e) + "): check that every value is inside a string",
            null);
      }
      if (blocks == null || !blocks.isArray()) {
        throw new TemplateException("option 'blocks' must render to a JSON array of Block Kit blocks", null);
      }
      m.set("blocks", cutBlocks((ArrayNode) blocks));
    }
    if (!s.webhook()) {
      // No parsing of names into mentions or links beyond the markup the template wrote.
      m.put("parse", "none");
      m.put("link_names", false);
    }
    m.put("unfurl_links", false);
    m.put("unfurl_media", false);
    return m;
  }

  private static String location(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null) {
      return "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr();
    }
    return "unknown position";
  }

  private static ArrayNode cutBlocks(ArrayNode blocks) {
    while (blocks.size() > MAX_BLOCKS) {
      blocks.remove(blocks.size() - 1);
    }
    for (JsonNode block : blocks) {
      int max = "header".equals(block.path("type").asText()) ? MAX_HEADER_TEXT : MAX_BLOCK_TEXT;
      cutTexts(block, max);
    }
    return blocks;
  }

  private static void cutTexts(JsonNode node, int max) {
    if (node instanceof ObjectNode o) {
      JsonNode text = o.get("text");
      if (text != null && text.isTextual() && text.asText().length() > max) {
        o.put("text", Texts.cut(text.asText(), max));
      }
      o.elements().forEachRemaining(child -> cutTexts(child, max));
    } else if (node instanceof ArrayNode a) {
      a.elements().forEachRemaining(child -> cutTexts(child, max));
    }
  }

  /** The result of one post: no failure, or the failure and whether it concerns every message. */
  private record Outcome(RecordFailure failure, boolean wholeBatch) {
    static final Outcome OK = new Outcome(null, false);
  }

  private Outcome post(String channel, ObjectNode message) throws Exception {
    try {
      pacer.acquire(channel);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DeliveryException.retryable(this + ": interrupted while pacing posts to Slack");
    }
    String what = s.webhook() ? "Slack incoming webhook" : "Slack chat.postMessage to channel '" + channel + "'";
    HttpRequest.Builder request = HttpRequest.newBuilder(s.endpoint())
        .timeout(s.requestTimeout())
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(message)));
    if (!s.webhook()) {
      request.header("Authorization", "Bearer " + s.token());
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The exception's text may name the URL, which holds the webhook's secret: show its kind only.
      return new Outcome(RecordFailure.retryable(what + " failed: " + e.getClass().getSimpleName()
          + " (network error or timeout)"), true);
    }
    int status = response.statusCode();
    if (status == 429) {
      Duration after = response.headers().firstValue("Retry-After")
          .flatMap(v -> RetryAfter.parse(v, clock.instant())).orElse(Duration.ofSeconds(1));
      pacer.holdOff(channel, after);
      return new Outcome(new RecordFailure(what + " was rate limited (HTTP 429, Retry-After " + after.toSeconds()
          + "s)", true, after), true);
    }
    String body = Texts.cut(response.body() == null ? "" : response.body(), 300);
    if (status >= 500) {
      return new Outcome(RecordFailure.retryable(what + " failed: HTTP " + status + " " + printable(body)), true);
    }
    if (s.webhook()) {
      if (status >= 200 && status < 300) {
        return Outcome.OK;
      }
      // Incoming webhooks answer errors as plain text: invalid_payload (400), action_prohibited (403),
      // channel_not_found / no_service (404), channel_is_archived (410).
      String error = body.trim();
      boolean whole = status == 403 || status == 404 || status == 410 || status == 401;
      return new Outcome(RecordFailure.permanent(what + " refused the message: HTTP " + status + " "
          + printable(error)), whole);
    }
    if (status < 200 || status >= 300) {
      return new Outcome(RecordFailure.permanent(what + " failed: HTTP " + status + " " + printable(body)),
          status == 401 || status == 403 || status == 404);
    }
    JsonNode answer;
    try {
      answer = mapper.readTree(response.body());
    } catch (IOException e) {
      return new Outcome(RecordFailure.retryable(what + " answered HTTP " + status + " with something that is not"
          + " JSON: " + printable(body)), true);
    }
    if (answer != null && answer.path("ok").asBoolean(false)) {
      return Outcome.OK;
    }
    String error = answer == null ? "" : answer.path("error").asText("");
    if (error.isEmpty()) {
      return new Outcome(RecordFailure.retryable(what + " answered without \"ok\": " + printable(body)), true);
    }
    boolean retryable = RETRYABLE_ERRORS.contains(error);
    String reason = what + " failed: " + printable(error) + (retryable ? " (retryable)" : " (permanent)");
    if (error.equals("ratelimited") || error.equals("rate_limited")) {
      Duration after = response.headers().firstValue("Retry-After")
          .flatMap(v -> RetryAfter.parse(v, clock.instant())).orElse(Duration.ofSeconds(1));
      pacer.holdOff(channel, after);
      return new Outcome(new RecordFailure(reason, true, after), true);
    }
    return new Outcome(new RecordFailure(reason, retryable, null), WHOLE_BATCH_ERRORS.contains(error));
  }

  /**
   * With a token: calls the Web API's {@code auth.test}, which posts nothing and tells whether the
   * token is valid and whose it is (team and bot user, reported as details). With an incoming
   * webhook: Slack offers no call that checks a webhook URL without posting, so the check only
   * opens a TCP connection to the URL's host and closes it, and says so. Messages name the host,
   * never the webhook's path (its secret) or the token.
   *
   * @param timeout the request's deadline
   * @return ok or failed
   * @throws InterruptedException when interrupted while waiting for Slack
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(Duration timeout) throws InterruptedException {
    URI e = s.endpoint();
    String origin = e.getScheme() + "://" + e.getHost() + (e.getPort() < 0 ? "" : ":" + e.getPort());
    String what = "slack destination '" + s.name() + "'";
    Map<String, String> details = new LinkedHashMap<>();
    details.put("host", e.getHost());
    if (s.webhook()) {
      int port = e.getPort() >= 0 ? e.getPort() : "https".equalsIgnoreCase(e.getScheme()) ? 443 : 80;
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(e.getHost(), port), (int) Math.max(1, timeout.toMillis()));
      } catch (IOException x) {
        return dev.sluice.spi.ConnectionCheckResult.failed(what + ": can't connect to " + origin + " ("
            + x.getClass().getSimpleName() + ": " + x.getMessage() + ")", details);
      }
      return dev.sluice.spi.ConnectionCheckResult.ok(what + ": " + origin + " accepts connections; an incoming"
          + " webhook can't be verified without posting, so the URL itself was not checked", details);
    }
    HttpRequest request = HttpRequest.newBuilder(e.resolve("auth.test"))
        .timeout(timeout)
        .header("Authorization", "Bearer " + s.token())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.noBody())
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException x) {
      return dev.sluice.spi.ConnectionCheckResult.failed(what + ": Slack auth.test at " + origin + " failed: "
          + x.getClass().getSimpleName() + " (network error or timeout)", details);
    }
    String body = Texts.cut(response.body() == null ? "" : response.body(), 300);
    if (response.statusCode() != 200) {
      return dev.sluice.spi.ConnectionCheckResult.failed(what + ": Slack auth.test at " + origin + " answered HTTP "
          + response.statusCode() + " " + printable(body), details);
    }
    JsonNode answer;
    try {
      answer = mapper.readTree(response.body());
    } catch (IOException x) {
      answer = null;
    }
    if (answer == null || !answer.path("ok").asBoolean(false)) {
      String error = answer == null ? "a body that is not JSON" : answer.path("error").asText("no error given");
      String hint = Set.of("invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive")
          .contains(error) ? "; the bot token was refused: check the 'token' option" : "";
      return dev.sluice.spi.ConnectionCheckResult.failed(what + ": Slack auth.test at " + origin + " failed: "
          + printable(error) + hint, details);
    }
    for (String f : List.of("team", "team_id", "user", "user_id")) {
      if (answer.path(f).isTextual()) {
        details.put(f, answer.path(f).asText());
      }
    }
    return dev.sluice.spi.ConnectionCheckResult.ok(what + ": Slack at " + origin + " accepted the token (team "
        + answer.path("team").asText("?") + ", user " + answer.path("user").asText("?") + "); nothing was posted",
        details);
  }

  private static String printable(String s) {
    return s.replaceAll("[\\p{Cntrl}]", " ");
  }

  @Override
  public String toString() {
    return "SlackDestination{" + s.name() + ", " + (s.webhook() ? "incoming webhook" : "chat.postMessage at "
        + s.endpoint().getScheme() + "://" + s.endpoint().getHost()
        + (s.endpoint().getPort() < 0 ? "" : ":" + s.endpoint().getPort())) + ", " + s.mode().name().toLowerCase()
        + "}";
  }
}
