package dev.sluice.destinations.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on a raw socket, so it can misbehave the way real networks do: it answers 500
 * to about 30% of requests, lets about 10% time out (half of them after storing the items, as when
 * a response is lost), resets about 5% of connections with a TCP RST (half after storing), and
 * throttles about 5% with {@code 429} and {@code Retry-After: 2}. Everything else is stored and
 * answered 200.
 *
 * <p>The sink upserts each item by its {@code idempotencyKey}, as a receiver honouring the
 * destination's idempotency keys would, and counts how often each key was stored. Every item of
 * every request is also logged as a {@link Receipt}, whatever its fate, so that duplicates show.
 */
final class FlakyWebhookServer implements AutoCloseable {
  enum Fate { SERVER_ERROR, TIMEOUT, TIMEOUT_AFTER_STORING, RESET, RESET_AFTER_STORING, THROTTLE, OK }

  /** One item of one request: its record key, its idempotency key, the request's number and fate. */
  record Receipt(String key, String idempotencyKey, long request, Fate fate) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** idempotencyKey → the item's record key. */
  final Map<String, String> sink = new ConcurrentHashMap<>();
  /** idempotencyKey → how many requests stored it. */
  final Map<String, AtomicLong> stores = new ConcurrentHashMap<>();
  final Map<Fate, AtomicLong> fates = new EnumMap<>(Fate.class);
  /** Every item received, in every request. */
  final List<Receipt> receipts = new CopyOnWriteArrayList<>();
  private final AtomicLong requests = new AtomicLong();
  private final ServerSocket socket;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "flaky-webhook");
    t.setDaemon(true);
    return t;
  });
  private final Random random;
  private final long stallMillis;

  FlakyWebhookServer(long seed, long stallMillis) throws IOException {
    this.random = new Random(seed);
    this.stallMillis = stallMillis;
    for (Fate f : Fate.values()) {
      fates.put(f, new AtomicLong());
    }
    socket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    pool.execute(this::accept);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/ingest");
  }

  private synchronized Fate draw() {
    double r = random.nextDouble();
    Fate f = r < 0.30 ? Fate.SERVER_ERROR
        : r < 0.35 ? Fate.TIMEOUT
        : r < 0.40 ? Fate.TIMEOUT_AFTER_STORING
        : r < 0.425 ? Fate.RESET
        : r < 0.45 ? Fate.RESET_AFTER_STORING
        : r < 0.50 ? Fate.THROTTLE
        : Fate.OK;
    fates.get(f).incrementAndGet();
    return f;
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        pool.execute(() -> handle(s));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void handle(Socket s) {
    try (s) {
      s.setSoTimeout(10_000);
      byte[] body = readRequest(s.getInputStream());
      Fate fate = draw();
      long request = requests.incrementAndGet();
      for (JsonNode item : MAPPER.readTree(body)) {
        receipts.add(new Receipt(item.path("key").asText(), item.path("idempotencyKey").asText(), request, fate));
      }
      switch (fate) {
        case SERVER_ERROR -> respond(s, 500, "Internal Server Error", "", "{\"error\":\"boom\"}");
        case THROTTLE -> respond(s, 429, "Too Many Requests", "Retry-After: 2\r\n", "{\"error\":\"slow down\"}");
        case TIMEOUT -> Thread.sleep(stallMillis);
        case TIMEOUT_AFTER_STORING -> {
          store(body);
          Thread.sleep(stallMillis);
        }
        case RESET -> reset(s);
        case RESET_AFTER_STORING -> {
          store(body);
          reset(s);
        }
        case OK -> {
          store(body);
          respond(s, 200, "OK", "", "{\"ok\":true}");
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client gave up or the test ended: nothing to answer
    }
  }

  private void store(byte[] body) throws IOException {
    JsonNode items = MAPPER.readTree(body);
    for (JsonNode item : items) {
      String key = item.get("idempotencyKey").asText();
      sink.put(key, item.get("key").asText());
      stores.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
  }

  private static void reset(Socket s) throws IOException {
    s.setSoLinger(true, 0); // close with RST instead of FIN
    s.close();
  }

  private static void respond(Socket s, int status, String reason, String headers, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    OutputStream out = s.getOutputStream();
    out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
        + b.length + "\r\nConnection: close\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
  }

  /** Reads one HTTP/1.1 request with a Content-Length body; returns the body. */
  private static byte[] readRequest(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed in the request head");
      }
      head.write(c);
      state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1
          : c == '\r' ? 1 : 0;
    }
    int length = 0;
    for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return in.readNBytes(length);
  }

  @Override
  public void close() throws IOException {
    socket.close();
    pool.shutdownNow();
  }
}
