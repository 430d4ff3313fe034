package dev.sluice.destinations.prometheus;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Starts the real Debian {@code prometheus}, {@code prometheus-pushgateway} and runs {@code
 * promtool} for the tests, on loopback ports only. A missing binary fails the test with the Debian
 * package to install; it never skips.
 */
final class LocalServers {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Upper bound of every wait for a server or a value: a bound, not a sleep. */
  static final Duration DEADLINE = Duration.ofSeconds(30);

  private LocalServers() {}

  /** The path of {@code binary}, or an AssertionError naming the Debian package that has it. */
  static String binary(String binary, String debianPackage) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, binary);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    for (String dir : new String[] {"/usr/bin", "/usr/local/bin", "/usr/sbin"}) {
      Path p = Path.of(dir, binary);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError("'" + binary + "' is not installed, and this test needs the real one: install the"
        + " Debian package '" + debianPackage + "' (apt-get install -y --no-install-recommends " + debianPackage + ")");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A started server process; {@link #close()} stops it. */
  static final class Server implements AutoCloseable {
    final Process process;
    final int port;
    final Path log;
    final List<String> command;

    Server(List<String> command, int port, Path log) throws IOException {
      this.command = command;
      this.port = port;
      this.log = log;
      this.process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    String base() {
      return "http://127.0.0.1:" + port;
    }

    /** Polls {@code /-/ready} until it answers 200, up to {@link #DEADLINE}. */
    Server awaitReady() throws Exception {
      long end = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < end) {
        if (!process.isAlive()) {
          throw new AssertionError(command.get(0) + " exited with " + process.exitValue() + ": " + logText());
        }
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/-/ready"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            return this;
          }
        } catch (IOException notYet) {
          // not listening yet
        }
        Thread.sleep(50);
      }
      throw new AssertionError(command.get(0) + " was not ready on port " + port + " within " + DEADLINE + ": " + logText());
    }

    String logText() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Starts a Pushgateway on {@code port} (0: a free one), ready. */
  static Server pushgateway(Path dir, int port) throws Exception {
    String bin = binary("prometheus-pushgateway", "prometheus-pushgateway");
    int p = port == 0 ? freePort() : port;
    Files.createDirectories(dir);
    return new Server(List.of(bin, "--web.listen-address=127.0.0.1:" + p, "--log.level=warn"), p,
        dir.resolve("pushgateway.log")).awaitReady();
  }

  /**
   * Starts Prometheus scraping {@code targets} (host:port, path /metrics) every 250 ms, with its
   * data in {@code dir}, ready.
   */
  static Server prometheus(Path dir, List<String> targets) throws Exception {
    String bin = binary("prometheus", "prometheus");
    int p = freePort();
    Files.createDirectories(dir);
    StringBuilder config = new StringBuilder("global:\n  scrape_interval: 250ms\n  scrape_timeout: 250ms\n"
        + "scrape_configs:\n");
    for (int i = 0; i < targets.size(); i++) {
      config.append("  - job_name: target").append(i).append("\n    static_configs:\n      - targets: ['")
          .append(targets.get(i)).append("']\n");
    }
    Path configFile = dir.resolve("prometheus.yml");
    Files.writeString(configFile, config.toString());
    List<String> cmd = new ArrayList<>(List.of(bin, "--config.file=" + configFile,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + p,
        "--log.level=warn"));
    return new Server(cmd, p, dir.resolve("prometheus.log")).awaitReady();
  }

  /** GET {@code url}, the body. */
  static HttpResponse<String> get(String url, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code fetch} until {@code done} accepts its result, up to {@link #DEADLINE}; the last result. */
  static <T> T await(String what, ThrowingSupplier<T> fetch, Predicate<T> done) throws Exception {
    long end = System.nanoTime() + DEADLINE.toNanos();
    T last = null;
    while (System.nanoTime() < end) {
      last = fetch.get();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("waited " + DEADLINE + " for " + what + "; last seen: " + last);
  }

  interface ThrowingSupplier<T> {
    T get() throws Exception;
  }

  /** Runs {@code promtool check metrics} on {@code exposition}: its exit code and output. */
  static PromtoolResult promtoolCheckMetrics(String exposition) throws Exception {
    String bin = binary("promtool", "prometheus");
    Process p = new ProcessBuilder(bin, "check", "metrics").redirectErrorStream(true).start();
    p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool check metrics did not finish");
    }
    return new PromtoolResult(p.exitValue(), out);
  }

  record PromtoolResult(int exitCode, String output) {}
}
