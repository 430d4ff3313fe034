package dev.sluice.destinations.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A local stand-in for Slack that answers as Slack documents.
 *
 * <p>Web API, {@code POST /api/chat.postMessage} (docs.slack.dev/reference/methods/chat.postMessage):
 * HTTP 200 with {@code {"ok": true, "channel": "C…", "ts": "…"}}, or HTTP 200 with {@code {"ok":
 * false, "error": "…"}}: {@code not_authed} without a token, {@code invalid_auth} with a wrong one,
 * {@code channel_not_found} for an unknown channel, {@code msg_too_long} for text beyond 40,000
 * characters; rate limiting is HTTP 429 with a {@code Retry-After} header in seconds
 * (docs.slack.dev/apis/web-api/rate-limits).
 *
 * <p>Incoming webhook, {@code POST /services/T…/B…/…} (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks):
 * HTTP 200 with body {@code ok}; errors as plain text with a status: 400 {@code invalid_payload},
 * 403 {@code action_prohibited}, 404 {@code channel_not_found} or {@code no_service}, 410 {@code
 * channel_is_archived}, 500 {@code rollup_error}.
 *
 * <p>Tests script answers ahead ({@link #script}) and read what was accepted.
 */
final class SlackStub implements AutoCloseable {
  /** The bot token the stub accepts: made when the tests start, never committed. */
  static final String TOKEN = System.getenv().getOrDefault(NotifyCrashRun.TOKEN_ENV, "test-bot-token-" + java.util.UUID.randomUUID());
  static final String WEBHOOK_PATH = "/services/T0001/B0001/WebhookSecretPart42";

  /** One request: its path, Authorization header and JSON body. */
  record Post(String path, String authorization, JsonNode body) {
    String text() {
      return body.path("text").asText(null);
    }

    String channel() {
      return body.path("channel").asText(null);
    }
  }

  /** A scripted answer. */
  record Answer(int status, Map<String, String> headers, String body) {
    static Answer json(String body) {
      return new Answer(200, Map.of(), body);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "slack-stub");
    t.setDaemon(true);
    return t;
  });
  private final ObjectMapper mapper = new ObjectMapper();
  private final List<Post> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<Post> accepted = Collections.synchronizedList(new ArrayList<>());
  private final Deque<Answer> script = new ArrayDeque<>();
  private final Set<String> channels = ConcurrentHashMap.newKeySet();
  private final AtomicLong ts = new AtomicLong(1503435956000247L);
  volatile boolean outage;
  /** Called before a post is answered; returning false leaves it unanswered and not accepted. */
  volatile Predicate<Post> beforeAnswer = p -> true;
  /** Called after a post was accepted, before the answer is sent (may block: a crash test kills the client then). */
  volatile java.util.function.Consumer<Post> afterAccept = p -> {};

  SlackStub() throws IOException {
    channels.addAll(List.of("#general", "general", "C0123456789", "#sales", "#alerts"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/api/", this::api);
    server.createContext("/services/", this::webhook);
    server.setExecutor(executor);
    server.start();
  }

  String apiBase() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/";
  }

  String webhookUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + WEBHOOK_PATH;
  }

  /** Answers the next requests with these, in order, before the normal behaviour resumes. */
  void script(Answer... answers) {
    synchronized (script) {
      script.addAll(List.of(answers));
    }
  }

  List<Post> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  List<Post> accepted() {
    synchronized (accepted) {
      return List.copyOf(accepted);
    }
  }

  private Answer scripted() {
    synchronized (script) {
      return script.poll();
    }
  }

  private void api(HttpExchange ex) throws IOException {
    try (ex) {
      Post post = read(ex);
      if (ex.getRequestURI().getPath().equals("/api/auth.test")) {
        // auth.test (docs.slack.dev/reference/methods/auth.test): who the token belongs to, or ok:false
        // with invalid_auth / not_authed.
        if (post.authorization() == null) {
          send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"not_authed\"}");
        } else if (!post.authorization().equals("Bearer " + TOKEN)) {
          send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"invalid_auth\"}");
        } else {
          send(ex, 200, Map.of(), "{\"ok\":true,\"url\":\"https://example-team.slack.com/\",\"team\":\"Example"
              + " Team\",\"user\":\"sluice-bot\",\"team_id\":\"T0001\",\"user_id\":\"U0001\",\"bot_id\":\"B0001\"}");
        }
        return;
      }
      if (!ex.getRequestURI().getPath().equals("/api/chat.postMessage")) {
        send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"unknown_method\"}");
        return;
      }
      if (outage) {
        send(ex, 503, Map.of(), "upstream unavailable");
        return;
      }
      Answer a = scripted();
      if (a != null) {
        send(ex, a.status(), a.headers(), a.body());
        return;
      }
      if (post.authorization() == null) {
        send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"not_authed\"}");
      } else if (!post.authorization().equals("Bearer " + TOKEN)) {
        send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"invalid_auth\"}");
      } else if (post.channel() == null || !channels.contains(post.channel())) {
        send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"channel_not_found\"}");
      } else if (post.text() != null && post.text().length() > 40_000) {
        send(ex, 200, Map.of(), "{\"ok\":false,\"error\":\"msg_too_long\"}");
      } else if (!beforeAnswer.test(post)) {
        // left unanswered: the caller sees a timeout or a dropped connection
      } else {
        accepted.add(post);
        afterAccept.accept(post);
        send(ex, 200, Map.of(), "{\"ok\":true,\"channel\":\"C0123456789\",\"ts\":\"" + ts.incrementAndGet() / 1_000_000
            + "." + String.format("%06d", ts.get() % 1_000_000) + "\"}");
      }
    }
  }

  private void webhook(HttpExchange ex) throws IOException {
    try (ex) {
      Post post = read(ex);
      if (outage) {
        send(ex, 503, Map.of(), "upstream unavailable");
        return;
      }
      Answer a = scripted();
      if (a != null) {
        send(ex, a.status(), a.headers(), a.body());
        return;
      }
      if (!ex.getRequestURI().getPath().equals(WEBHOOK_PATH)) {
        send(ex, 404, Map.of(), "no_service");
      } else if (post.body() == null || (post.text() == null && !post.body().has("blocks"))) {
        send(ex, 400, Map.of(), "invalid_payload");
      } else {
        accepted.add(post);
        send(ex, 200, Map.of(), "ok");
      }
    }
  }

  private Post read(HttpExchange ex) throws IOException {
    byte[] bytes = ex.getRequestBody().readAllBytes();
    JsonNode body;
    try {
      body = mapper.readTree(bytes);
    } catch (IOException e) {
      body = null;
    }
    Post post = new Post(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"), body);
    requests.add(post);
    return post;
  }

  private static void send(HttpExchange ex, int status, Map<String, String> headers, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.getResponseHeaders().add("Content-Type", body.startsWith("{") ? "application/json; charset=utf-8"
        : "text/html");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
