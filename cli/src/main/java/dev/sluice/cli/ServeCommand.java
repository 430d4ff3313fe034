package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.auth.AccessPolicy;
import dev.sluice.auth.LocalAuth;
import dev.sluice.auth.RoleBasedAccessPolicy;
import dev.sluice.auth.Secrets;
import dev.sluice.config.LoadedConfig;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.spi.Authenticator;
import dev.sluice.spi.PluginKind;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice serve}: everything {@code sluice run} does, plus the HTTP face (REST API,
 * dashboard, webhook triggers, {@code /metrics}, health endpoints) on {@code server.host} and
 * {@code server.port} of the configuration (or {@code --host}/{@code --port}).
 *
 * <p>Who may call it: with {@code secrets.key} set and a store that keeps users, local users and
 * API keys ({@code sluice users add}, {@code sluice api-keys create}) and their access tokens; then
 * the authenticator plugins of {@code auth.authenticators} (e.g. {@code keycloak}), in that order.
 * Roles decide what each may do (built-in and the store's custom roles).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Does what run does and serves HTTP: the REST API (/api/v1), the dashboard (/), webhook"
        + " triggers, /metrics and /health/live, /health/ready; stops gracefully on SIGTERM (HTTP first,"
        + " then runs).")
final class ServeCommand implements Callable<Integer> {
  @Mixin ConfigOptions config;
  @Mixin ObservabilityOptions observability;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--host", paramLabel = "HOST",
      description = "The address to listen on; overrides server.host (default 0.0.0.0).")
  String host;

  @Option(names = "--port", paramLabel = "PORT",
      description = "The port to listen on (0: any free port); overrides server.port (default 8080).")
  Integer port;

  @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "How long runs may drain after SIGTERM, once HTTP has stopped (ISO-8601). Default: 30 s.")
  Duration shutdownTimeout;

  /** Test seam: called once the server listens, with it and a stop action that does what SIGTERM does. */
  static volatile Started startedListener;

  /** See {@link #startedListener}. */
  interface Started {
    void started(SluiceServer server, Runnable stop);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    observability.configureLogging(true);
    LoadedConfig loaded = config.loader().load(config.files());
    JsonNode server = loaded.server();
    String bindHost = host != null ? host : server.path("host").asText("0.0.0.0");
    int bindPort = port != null ? port : server.path("port").asInt(8080);
    if (bindPort < 0 || bindPort > 65535) {
      throw new IllegalArgumentException("--port " + bindPort + " is not a port (0-65535)");
    }
    // /metrics: Micrometer's own Prometheus registry, unless --metrics-port serves one already.
    PrometheusMeterRegistry prometheus = null;
    Sluice.Builder builder = observability.start(loaded.builder(), true, out).shutdownTimeout(shutdownTimeout);
    if (observability.metrics() != null) {
      prometheus = observability.metrics().registry();
    } else {
      prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      prometheus.config().meterFilter(new MeterDescriptions());
      new JvmMemoryMetrics().bindTo(prometheus);
      new JvmThreadMetrics().bindTo(prometheus);
      builder.meterRegistry(prometheus);
    }
    Sluice sluice;
    SluiceServer http;
    List<AutoCloseable> plugins = new ArrayList<>();
    try {
      sluice = builder.build();
      ServerOptions.Builder options = ServerOptions.builder().host(bindHost).port(bindPort)
          .shutdownSluice(false).metricsScraper(prometheus::scrape);
      JsonNode tls = server.path("tls");
      if (tls.isObject()) {
        java.nio.file.Path base = config.files().get(0).toAbsolutePath().getParent();
        if (tls.has("certificate")) {
          options.tlsPem(base.resolve(tls.path("certificate").asText()), base.resolve(tls.path("privateKey").asText()));
        } else {
          options.tls(base.resolve(tls.path("keyStore").asText()), tls.path("password").asText().toCharArray());
        }
      }
      Optional<Secrets> secrets = loaded.store().users().isPresent() ? loaded.openSecrets() : Optional.empty();
      AccessPolicy policy = RoleBasedAccessPolicy.builtInRolesOnly();
      if (secrets.isPresent()) {
        LocalAuth local = LocalAuth.builder(loaded.store(), secrets.get()).build();
        // One by one, not local.authenticator(): that chain rejects every credential it does not
        // know, so the plugins after it (Keycloak's tokens) would never be asked.
        options.authenticator(local.apiKeyAuthenticator())
            .authenticator(local.accessTokenAuthenticator())
            .secrets(secrets.get())
            .localAuth(local); // login, refresh, logout, the dashboard's session, users and keys
        policy = local.accessPolicy();
      }
      int i = 0;
      for (JsonNode a : loaded.auth().path("authenticators")) {
        ObjectNode opts = ((ObjectNode) a).deepCopy();
        String type = opts.remove("type").asText();
        Authenticator authenticator = sluice.createPlugin(PluginKind.AUTHENTICATOR, type, "auth-" + i++, opts);
        if (authenticator instanceof AutoCloseable c) {
          plugins.add(c);
        }
        options.authenticator(authenticator);
        if (authenticator instanceof dev.sluice.auth.BrowserLogin login) {
          options.browserLogin(login); // "Sign in with …" on the dashboard (e.g. keycloak's dashboardLogin)
        }
      }
      if (server.hasNonNull("publicUrl")) {
        try {
          options.publicUrl(java.net.URI.create(server.path("publicUrl").asText()));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("server.publicUrl: " + e.getMessage(), e);
        }
      }
      options.accessPolicy(policy);
      http = SluiceServer.create(sluice, options.build());
    } catch (RuntimeException e) {
      observability.close();
      loaded.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean stopping = new AtomicBoolean();
    Runnable stop = () -> {
      if (!stopping.compareAndSet(false, true)) {
        return;
      }
      out.println("sluice: stopping (HTTP first, then draining in-flight batches)...");
      out.flush();
      try {
        http.stop();
        sluice.close();
        for (AutoCloseable c : plugins) {
          try {
            c.close();
          } catch (Exception e) { // shutting down: say so and close the rest
            out.println("sluice: closing " + c + " failed: " + e);
          }
        }
        loaded.close();
      } finally {
        observability.close();
        out.println("sluice: stopped");
        out.flush();
        stopped.countDown();
      }
    };
    Thread hook = new Thread(stop, "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    sluice.start();
    http.start();
    out.println("sluice: serving " + sluice.pipelineNames().size() + " pipeline(s) on "
        + (server.path("tls").isObject() ? "https" : "http") + "://" + bindHost + ":" + http.port()
        + " (SIGTERM or Ctrl-C stops)");
    out.flush();
    Started listener = startedListener;
    if (listener != null) {
      listener.started(http, () -> {
        stop.run();
        Runtime.getRuntime().removeShutdownHook(hook);
      });
    }
    stopped.await();
    return ExitCodes.OK;
  }
}
