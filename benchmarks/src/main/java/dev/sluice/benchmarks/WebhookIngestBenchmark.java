package dev.sluice.benchmarks;

import dev.sluice.Sluice;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.record.Batch;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook ingest (issue 17): requests per second of HMAC-signed webhook deliveries accepted by
 * {@code sluice-server} against a bare handler on the same HTTP framework (Javalin 7), in one JVM,
 * one run.
 *
 * <ul>
 *   <li>{@code sluice}: a {@link Sluice} whose pipeline {@code orders} has the {@code webhook}
 *       connector as its source (key {@code id}), one rule to a counting in-memory {@link
 *       Destination}, and the trigger {@code webhook: /hooks/orders} with {@link
 *       WebhookSignature#hmacSha256(String)} (header {@code X-Signature}, hex HMAC-SHA256 of the raw
 *       body); overlap policy {@code allow} with {@code maxConcurrentRuns} 1000, so a delivery that
 *       arrives while runs are in progress starts its own run instead of being refused with 503.
 *       Served by {@link SluiceServer} on 127.0.0.1, a free port. An accepted delivery costs the
 *       signature check, the replay check, the JSON parse, starting a run or joining one whose
 *       source has not read every delivery yet (202), and in the background the record read,
 *       routed and delivered. The {@code runs} column says how many runs the deliveries took.
 *   <li>{@code bare}: a plain Javalin app with one {@code POST /hooks/orders} handler that reads
 *       the body, computes the HMAC-SHA256 with {@code javax.crypto.Mac}, compares it in constant
 *       time with {@code MessageDigest.isEqual} and answers 202: what a developer writes by hand.
 * </ul>
 *
 * <p>The load generator: {@code --threads} platform threads (default 16), each with the JDK
 * {@link HttpClient} (HTTP/1.1, one client per pass), sending signed ~300-byte JSON orders with a
 * unique id (so no delivery is a replay) in a loop for {@code --seconds} (default 10). Every pass
 * runs each way once on a fresh server, the ways alternating which goes first; the first {@code
 * --warmup} passes (default 1) are not counted, then {@code --passes} (default 3) are measured. A
 * request counts when answered 202; any other status is an error. A request whose connection
 * fails is sent again, at most twice, as senders do (the JDK client now and then reuses a pooled
 * connection the server is closing, for both ways); a repeat Sluice answers as a duplicate (200)
 * counts, for Sluice took the first attempt; the table says how many were resent, and a request
 * whose three attempts fail is an error. For {@code
 * sluice}, after the load stops the harness also waits until every accepted delivery reached the
 * destination ("drain") and counts the missing ones as errors. A run with errors is not a valid
 * figure (exit status 1).
 *
 * <p>Reported per way: requests/s (median of the measured passes), the ratio sluice/bare (goal:
 * at least 50 %), errors, p50/p99 latency over all measured requests, and for {@code sluice} the
 * records delivered and the drain time.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.sluice.benchmarks.WebhookIngestBenchmark \
 *     [--seconds 10] [--threads 16] [--passes 3] [--warmup 1] [--ways sluice,bare]
 * </pre>
 *
 * <p>Not JMH: one pass of concurrent HTTP load is the unit. Not thread-safe; run once per JVM.
 */
public final class WebhookIngestBenchmark {
  static final String PATH = "/hooks/orders";
  static final String SIGNATURE_HEADER = "X-Signature";
  /** Enough to remember every delivery of a pass at well over 100,000 requests/s for 10 s. */
  private static final int REPLAY_CAPACITY = 2_000_000;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
  private static final List<String> ALL_WAYS = List.of("sluice", "bare");

  private WebhookIngestBenchmark() {}

  /** What to run; see the class comment for the defaults. */
  record Options(double seconds, int threads, int passes, int warmup, List<String> ways) {
    Options {
      if (!(seconds > 0) || threads < 1 || passes < 1 || warmup < 0) {
        throw new IllegalArgumentException("--seconds > 0, --threads >= 1, --passes >= 1 and --warmup >= 0; got "
            + seconds + ", " + threads + ", " + passes + ", " + warmup);
      }
      for (String w : ways) {
        if (!ALL_WAYS.contains(w)) {
          throw new IllegalArgumentException("--ways: unknown way '" + w + "'; known: " + ALL_WAYS);
        }
      }
      ways = List.copyOf(ways);
    }

    static Options parse(String... args) {
      Map<String, String> opt = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String name = args[i];
        if (!name.startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --name value pairs, got '" + name + "'"
              + (i + 1 >= args.length ? " without a value" : ""));
        }
        opt.put(name.substring(2), args[++i]);
      }
      Options o = new Options(
          Double.parseDouble(opt.getOrDefault("seconds", "10")),
          Integer.parseInt(opt.getOrDefault("threads", "16")),
          Integer.parseInt(opt.getOrDefault("passes", "3")),
          Integer.parseInt(opt.getOrDefault("warmup", "1")),
          List.of(opt.getOrDefault("ways", "sluice,bare").split(",")));
      opt.keySet().removeAll(List.of("seconds", "threads", "passes", "warmup", "ways"));
      if (!opt.isEmpty()) {
        throw new IllegalArgumentException("unknown option(s) " + opt.keySet()
            + "; known: --seconds --threads --passes --warmup --ways");
      }
      return o;
    }
  }

  /** One way in one pass. */
  record Pass(
      String way, int pass, boolean measured, long accepted, Map<String, Long> errors, double seconds,
      long[] latencyNanos, long delivered, long backlogAtEnd, long drainMillis, long runs, long resent) {

    double perSecond() {
      return accepted / seconds;
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** A way over the measured passes. */
  record WaySummary(String way, List<Double> perSecond, long accepted, long errors, Map<String, Long> errorsByKind,
      long p50Nanos, long p99Nanos) {

    double medianPerSecond() {
      return median(perSecond);
    }
  }

  /** The result of a whole run. */
  record Result(List<Pass> passes, Map<String, WaySummary> ways) {
    /** Errors in any pass, warm-up included: a run with errors is not a valid figure. */
    long totalErrors() {
      return passes.stream().mapToLong(Pass::errorCount).sum();
    }
  }

  /** A server under test, started. */
  interface Target extends AutoCloseable {
    URI uri();

    /** Records delivered so far, or -1 when the way delivers nothing further. */
    long delivered();

    /** Runs started so far, or -1 when the way starts none. */
    default long runs() {
      return -1;
    }

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Result result = run(options, System.out);
    System.exit(result.totalErrors() == 0 ? 0 : 1);
  }

  /** Runs the benchmark, printing progress and the table to {@code out}. */
  static Result run(Options o, PrintStream out) throws Exception {
    out.println("command: " + commandLine());
    byte[] secretBytes = new byte[32];
    new SecureRandom().nextBytes(secretBytes);
    String secret = HexFormat.of().formatHex(secretBytes); // generated now, never printed
    int bodyBytes = order("p0-t0", 0).length;
    out.printf(Locale.ROOT, "%s %s, %d cores, max heap %d MiB; %d load threads (JDK HttpClient, HTTP/1.1),"
            + " %.1f s per pass, %d warm-up + %d measured passes, ways %s%n",
        System.getProperty("java.vm.name"), System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, o.threads(),
        o.seconds(), o.warmup(), o.passes(), o.ways());
    out.printf(Locale.ROOT, "POST %s, ~%d-byte JSON orders, %s: hex HMAC-SHA256 of the body; sluice: overlap allow,"
        + " maxConcurrentRuns 1000, webhook source -> counting destination%n", PATH, bodyBytes, SIGNATURE_HEADER);
    out.printf(Locale.ROOT, "%-5s %-7s %10s %8s %12s %9s %9s %10s %9s %8s   %s%n", "pass", "way", "accepted", "errors",
        "requests/s", "p50 ms", "p99 ms", "backlog", "drain ms", "runs", "");

    List<Pass> passes = new ArrayList<>();
    int total = o.warmup() + o.passes();
    for (int pass = 0; pass < total; pass++) {
      List<String> order = new ArrayList<>(o.ways());
      if (pass % 2 == 1) {
        java.util.Collections.reverse(order); // alternate who goes first
      }
      for (String way : order) {
        System.gc();
        Pass p = runPass(way, pass, pass >= o.warmup(), o, secret);
        passes.add(p);
        out.printf(Locale.ROOT, "%-5s %-7s %,10d %,8d %,12.0f %9.2f %9.2f %10s %9s %8s   %s%n",
            (p.measured() ? "" : "w") + (pass + 1), way, p.accepted(), p.errorCount(), p.perSecond(),
            percentile(p.latencyNanos(), 50) / 1e6, percentile(p.latencyNanos(), 99) / 1e6,
            p.delivered() < 0 ? "-" : String.format(Locale.ROOT, "%,d", p.backlogAtEnd()),
            p.delivered() < 0 ? "-" : String.valueOf(p.drainMillis()),
            p.runs() < 0 ? "-" : String.format(Locale.ROOT, "%,d", p.runs()),
            (p.resent() == 0 ? "" : "resent after a connection failure: " + p.resent() + "  ")
                + (p.errors().isEmpty() ? "" : "errors: " + p.errors()));
      }
    }

    Map<String, WaySummary> ways = new LinkedHashMap<>();
    for (String way : o.ways()) {
      List<Pass> measured = passes.stream().filter(p -> p.measured() && p.way().equals(way)).toList();
      Map<String, Long> errors = new TreeMap<>();
      passes.stream().filter(p -> p.way().equals(way))
          .forEach(p -> p.errors().forEach((k, v) -> errors.merge(k, v, Long::sum)));
      long[] all = measured.stream().flatMapToLong(p -> Arrays.stream(p.latencyNanos())).sorted().toArray();
      ways.put(way, new WaySummary(way, measured.stream().map(Pass::perSecond).toList(),
          measured.stream().mapToLong(Pass::accepted).sum(), errors.values().stream().mapToLong(Long::longValue).sum(),
          errors, percentile(all, 50), percentile(all, 99)));
    }
    Result result = new Result(passes, ways);

    out.println();
    out.printf(Locale.ROOT, "%-7s %14s %9s %9s %8s %8s   %s%n", "way", "median req/s", "p50 ms", "p99 ms", "errors",
        "vs bare", "measured passes (req/s)");
    WaySummary bare = ways.get("bare");
    for (WaySummary w : ways.values()) {
      out.printf(Locale.ROOT, "%-7s %,14.0f %9.2f %9.2f %,8d %8s   %s%n", w.way(), w.medianPerSecond(),
          w.p50Nanos() / 1e6, w.p99Nanos() / 1e6, w.errors(),
          bare == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * w.medianPerSecond() / bare.medianPerSecond()),
          w.perSecond().stream().map(x -> String.format(Locale.ROOT, "%,.0f", x)).toList());
    }
    WaySummary sluice = ways.get("sluice");
    if (sluice != null && bare != null) {
      out.printf(Locale.ROOT, "sluice/bare = %.1f %% (goal >= 50 %%)%n",
          100 * sluice.medianPerSecond() / bare.medianPerSecond());
    }
    if (result.totalErrors() == 0) {
      out.println("errors: none (every request answered 202; every accepted delivery reached the destination)");
    } else {
      out.println("NOT A VALID FIGURE: " + result.totalErrors() + " error(s): "
          + ways.values().stream().map(w -> w.way() + " " + w.errorsByKind()).toList());
    }
    return result;
  }

  // ---------------------------------------------------------------- one pass

  static Pass runPass(String way, int pass, boolean measured, Options o, String secret) throws Exception {
    try (Target target = way.equals("sluice") ? sluice(secret) : bare(secret)) {
      HttpClient client = HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
      Map<String, Long> errors = new TreeMap<>();
      long[][] latencies = new long[o.threads()][];
      int[] counts = new int[o.threads()];
      long[] resent = new long[o.threads()];
      CountDownLatch ready = new CountDownLatch(o.threads());
      CountDownLatch go = new CountDownLatch(1);
      long durationNanos = (long) (o.seconds() * 1e9);
      long[] startedAt = new long[1];
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < o.threads(); t++) {
        int id = t;
        Thread thread = new Thread(() -> {
          Map<String, Long> mine = new TreeMap<>();
          long[] lat = new long[1 << 14];
          int n = 0;
          try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String prefix = "p" + pass + "-t" + id;
            ready.countDown();
            go.await();
            long deadline = startedAt[0] + durationNanos;
            for (long seq = 0; System.nanoTime() < deadline; seq++) {
              byte[] body = order(prefix, seq);
              // As a sender signs: the MAC of the exact bytes sent, hex, in X-Signature.
              String signature = HexFormat.of().formatHex(mac.doFinal(body));
              HttpRequest request = HttpRequest.newBuilder(target.uri())
                  .timeout(REQUEST_TIMEOUT)
                  .header("Content-Type", "application/json")
                  .header(SIGNATURE_HEADER, signature)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                  .build();
              long t0 = System.nanoTime();
              String error = null;
              // As senders do, a delivery whose connection failed is sent again (at most twice):
              // the JDK client now and then reuses a pooled connection the server is closing
              // ("header parser received no bytes"), for both ways alike. The server may have taken
              // the first attempt: a repeat then counts when Sluice answers it as a duplicate.
              for (int attempt = 0; attempt < 3; attempt++) {
                try {
                  HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                  boolean duplicateOfARetry = attempt > 0 && response.statusCode() == 200
                      && new String(response.body(), StandardCharsets.UTF_8).contains("\"duplicate\"");
                  error = response.statusCode() == 202 || duplicateOfARetry ? null
                      : "http " + response.statusCode() + reason(response.body());
                  break;
                } catch (IOException | RuntimeException e) {
                  error = "failed " + e.getClass().getSimpleName()
                      + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""));
                  resent[id]++;
                }
              }
              long elapsed = System.nanoTime() - t0;
              if (error == null) {
                if (n == lat.length) {
                  lat = Arrays.copyOf(lat, n * 2);
                }
                lat[n++] = elapsed;
              } else {
                mine.merge(error, 1L, Long::sum);
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
          } finally {
            latencies[id] = Arrays.copyOf(lat, n);
            counts[id] = n;
            synchronized (errors) {
              mine.forEach((k, v) -> errors.merge(k, v, Long::sum));
            }
          }
        }, "load-" + way + "-" + t);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
      ready.await();
      startedAt[0] = System.nanoTime();
      go.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      double seconds = (System.nanoTime() - startedAt[0]) / 1e9;
      long accepted = Arrays.stream(counts).asLongStream().sum();
      long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();

      long delivered = target.delivered();
      long backlog = delivered < 0 ? 0 : accepted - delivered;
      long drainMillis = 0;
      if (delivered >= 0) {
        // Every accepted delivery is read, routed and delivered by a run in the background: wait
        // for them, so a backlog can't hide behind a fast 202.
        long t0 = System.nanoTime();
        long until = t0 + DRAIN_TIMEOUT.toNanos();
        while ((delivered = target.delivered()) < accepted && System.nanoTime() < until) {
          Thread.sleep(5);
        }
        drainMillis = (System.nanoTime() - t0) / 1_000_000;
        if (delivered != accepted) {
          errors.merge(delivered < accepted ? "not delivered" : "delivered more than accepted",
              Math.abs(accepted - delivered), Long::sum);
        }
      }
      return new Pass(way, pass, measured, accepted, errors, seconds, all, delivered, backlog, drainMillis,
          target.runs(), Arrays.stream(resent).sum());
    }
  }

  private static String reason(byte[] body) {
    // The webhook handler's refusals carry {"reason": "..."}; show it, so a 503 says why.
    String text = new String(body, StandardCharsets.UTF_8);
    int i = text.indexOf("\"reason\":\"");
    if (i < 0) {
      return "";
    }
    int end = text.indexOf('"', i + 10);
    return end < 0 ? "" : " " + text.substring(i + 10, end);
  }

  // ---------------------------------------------------------------- the ways

  /** Sluice behind sluice-server: the webhook trigger as a user configures it. */
  static Target sluice(String secret) {
    AtomicLong delivered = new AtomicLong();
    Destination counting = new Destination() {
      @Override
      public DeliveryResult deliver(Batch batch) {
        delivered.addAndGet(batch.size());
        return DeliveryResult.success();
      }
    };
    Sluice sluice = Sluice.builder()
        .destination("count", counting)
        .pipeline("orders", p -> p
            .source("webhook", Map.of("key", "id"))
            .trigger(WebhookTrigger.of(PATH, WebhookSignature.hmacSha256(secret))
                .withReplayWindow(WebhookTrigger.DEFAULT_REPLAY_WINDOW, REPLAY_CAPACITY))
            // A delivery that arrives while runs are in progress starts its own run (allow), up
            // to 1000 at once; skip or queue would refuse it with 503.
            .overlap(OverlapPolicy.ALLOW)
            .maxConcurrentRuns(1000)
            .route(r -> r.name("all").to("count")))
        .build();
    SluiceServer server;
    try {
      sluice.start();
      server = SluiceServer.create(sluice, ServerOptions.builder()
          .host("127.0.0.1")
          .port(0)
          .runsShutdownTimeout(DRAIN_TIMEOUT)
          .build()).start();
    } catch (RuntimeException e) {
      sluice.close();
      throw e;
    }
    URI uri = URI.create("http://127.0.0.1:" + server.port() + PATH);
    return new Target() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public long delivered() {
        return delivered.get();
      }

      @Override
      public long runs() {
        var started = sluice.meterRegistry().find("sluice.triggers.fired").tag("outcome", "started").counter();
        return started == null ? 0 : (long) started.count();
      }

      @Override
      public void close() {
        server.stop(); // drains HTTP, then shuts the Sluice down
      }
    };
  }

  /** The floor: a plain Javalin handler that verifies the signature by hand. */
  static Target bare(String secret) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    Javalin app = Javalin.create(cfg -> {
      cfg.jetty.host = "127.0.0.1";
      cfg.jetty.port = 0;
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.routes.post(PATH, c -> {
        byte[] body = c.bodyAsBytes();
        String given = c.header(SIGNATURE_HEADER);
        byte[] givenMac;
        try {
          givenMac = given == null ? null : HexFormat.of().parseHex(given.trim());
        } catch (IllegalArgumentException e) {
          givenMac = null;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] expected = mac.doFinal(body);
        if (givenMac == null || !MessageDigest.isEqual(expected, givenMac)) {
          c.status(401).result("{\"error\":\"bad signature\"}");
          return;
        }
        c.status(202).contentType("application/json").result("{\"status\":\"accepted\"}");
      });
    }).start();
    URI uri = URI.create("http://127.0.0.1:" + app.port() + PATH);
    return new Target() {
      @Override
      public URI uri() {
        return uri;
      }

      @Override
      public long delivered() {
        return -1;
      }

      @Override
      public void close() {
        app.stop();
      }
    };
  }

  // ---------------------------------------------------------------- helpers

  /** A ~300-byte order, unique per (prefix, seq), so that no delivery is a replay of another. */
  static byte[] order(String prefix, long seq) {
    long n = seq * 7919 + prefix.hashCode();
    long cents = 1000 + Math.floorMod(n, 250_000);
    int customer = Math.floorMod(n, 10_000);
    String json = "{\"id\":\"ord-" + prefix + "-" + seq + "\",\"createdAt\":\"2026-12-02T07:00:00Z\","
        + "\"status\":\"paid\",\"currency\":\"EUR\",\"amount\":" + (cents / 100) + "." + String.format(Locale.ROOT, "%02d", cents % 100)
        + ",\"customer\":{\"id\":\"c-" + customer + "\",\"email\":\"user" + customer + "@example.com\","
        + "\"country\":\"" + (customer % 3 == 0 ? "DE" : customer % 3 == 1 ? "FR" : "NL") + "\",\"segment\":\"retail\"},"
        + "\"items\":[{\"sku\":\"SKU-" + (1000 + customer % 500) + "\",\"qty\":2,\"price\":19.99},"
        + "{\"sku\":\"SKU-2002\",\"qty\":1,\"price\":249.00}]}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String commandLine() {
    return ProcessHandle.current().info().commandLine()
        .orElse("java " + System.getProperty("sun.java.command", WebhookIngestBenchmark.class.getName()));
  }
}
