package dev.sluice.server;

import dev.sluice.Sluice;
import dev.sluice.UnknownPipelineException;
import dev.sluice.auth.Principal;
import dev.sluice.server.internal.Api;
import dev.sluice.server.internal.ApiProblem;
import dev.sluice.server.internal.Authorization;
import dev.sluice.server.internal.Responses;
import dev.sluice.server.internal.Route;
import dev.sluice.store.StaleVersionException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import org.eclipse.jetty.server.handler.GracefulHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a {@link Sluice}: the REST API under {@code /api/v1}, the pipelines' inbound
 * webhooks at their configured paths, {@code /metrics}, {@code /health/live} and {@code
 * /health/ready}, the OpenAPI document at {@code /openapi.yaml} with Swagger UI at {@code /docs},
 * and the dashboard's assets at {@code /}.
 *
 * <pre>{@code
 * SluiceServer server = SluiceServer.create(sluice, ServerOptions.builder()
 *     .port(8080)
 *     .authenticator(myAuthenticator)
 *     .accessPolicy(myPolicy)
 *     .build()).start();
 * ...
 * server.stop(); // drains HTTP, then shuts the Sluice down
 * }</pre>
 *
 * <p>Every route but health, webhooks (they check their own signatures), the OpenAPI document,
 * Swagger UI, the dashboard's static assets and its sign-in routes ({@code /api/v1/session}, and the
 * browser logins' {@code /api/v1/session/sso/{id}} and its {@code /callback}) requires authentication through the options'
 * authenticator chain, and declares one {@link dev.sluice.auth.Permission} that the access policy
 * decides ({@link #routes()} lists them). Errors are {@code application/problem+json} (RFC 9457).
 *
 * <p>Thread-safe. {@link #start()} once; {@link #stop()} is idempotent.
 */
public final class SluiceServer {
  private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
      + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";
  private static final String SPEC_RESOURCE = "/dev/sluice/server/openapi.yaml";
  private static final String DOCS_RESOURCE = "/dev/sluice/server/docs/";

  private final Sluice sluice;
  private final ServerOptions options;
  private final Api api;
  private final Authorization authorization;
  private final dev.sluice.server.internal.DashboardSessions sessions;
  private final List<RouteInfo> routes = new ArrayList<>();
  private final Javalin app;
  /** Requests being handled; stop() waits for none. Atomic: every request counts, so no lock per request. */
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  private final Object inFlightLock = new Object();
  private volatile boolean draining;
  private boolean started; // guarded by this
  private boolean stopped; // guarded by this

  private SluiceServer(Sluice sluice, ServerOptions options) {
    this.sluice = sluice;
    this.options = options;
    this.api = new Api(sluice, options);
    this.sessions = new dev.sluice.server.internal.DashboardSessions(options.sessions().orElse(null),
        options.browserLogins(), options.publicUrl().map(u -> u.getScheme().equalsIgnoreCase("https")).orElse(false));
    List<dev.sluice.spi.Authenticator> chain = new ArrayList<>();
    chain.add(sessions.authenticator()); // the dashboard's cookie; not applicable without one
    chain.addAll(options.authenticators());
    this.authorization = new Authorization(chain, options.accessPolicy());
    this.app = Javalin.create(this::configure);
  }

  /**
   * A server for {@code sluice}, not yet listening.
   *
   * @param sluice the Sluice to serve; not null
   * @param options how to listen and whom to let in; not null
   * @return a new server; call {@link #start()} to listen
   * @throws NullPointerException when an argument is null
   */
  public static SluiceServer create(Sluice sluice, ServerOptions options) {
    return new SluiceServer(Objects.requireNonNull(sluice, "sluice"), Objects.requireNonNull(options, "options"));
  }

  /**
   * Starts listening. Does not start the Sluice's triggers: call {@code sluice.start()} for cron and
   * webhook triggers (webhooks answer 503 until then, and {@code /health/ready} is down).
   *
   * @return this server
   * @throws IllegalStateException when already started or stopped
   */
  public synchronized SluiceServer start() {
    if (started || stopped) {
      throw new IllegalStateException(stopped ? "this server was stopped; create a new one" : "already started");
    }
    started = true;
    app.start();
    LOG.info("Sluice server listening on {}:{}", options.host(), app.port());
    return this;
  }

  /**
   * The port listened on (useful with port 0).
   *
   * @return the bound port, or -1 before {@link #start()}
   */
  public int port() {
    return app.port();
  }

  /**
   * Every route with the permission it requires, in registration order.
   *
   * @return an immutable list, never null
   */
  public List<RouteInfo> routes() {
    return List.copyOf(routes);
  }

  /**
   * Stops gracefully: new requests are refused with 503, requests in progress get up to {@code
   * httpDrainTimeout} to finish, the HTTP server stops, and then (unless told otherwise) the
   * Sluice shuts down with {@code runsShutdownTimeout}. Idempotent.
   */
  public void stop() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    draining = true;
    long deadline = System.nanoTime() + options.httpDrainTimeout().toNanos();
    synchronized (inFlightLock) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("stop: {} request(s) still in progress after {}; stopping anyway", inFlight.get(),
              options.httpDrainTimeout());
          break;
        }
        try {
          // Woken by the last request to end while draining; the bound covers a wake-up that
          // came between the check above and this wait.
          inFlightLock.wait(Math.max(1, Math.min(50, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    app.stop();
    if (options.shutdownSluice()) {
      sluice.shutdown(options.runsShutdownTimeout());
    }
  }

  /**
   * The HTTPS connector that replaces Javalin's plain one (Javalin adds its own only when none
   * was added): the key store's certificate, TLS 1.2 and 1.3, requests marked secure.
   */
  /** Protects the in-memory key store made from PEM files; random, never leaves the process. */
  private final char[] pemPassword = java.util.UUID.randomUUID().toString().toCharArray();

  private org.eclipse.jetty.server.Connector https(
      org.eclipse.jetty.server.Server server, org.eclipse.jetty.server.HttpConfiguration http,
      java.security.KeyStore pem) {
    org.eclipse.jetty.util.ssl.SslContextFactory.Server tls = new org.eclipse.jetty.util.ssl.SslContextFactory.Server();
    if (pem != null) {
      tls.setKeyStore(pem);
      tls.setKeyStorePassword(new String(pemPassword));
    } else {
      java.nio.file.Path keyStore = options.tlsKeyStore().orElseThrow();
      tls.setKeyStorePath(keyStore.toAbsolutePath().toString());
      tls.setKeyStoreType(keyStore.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jks")
          ? "JKS" : "PKCS12");
      char[] password = options.tlsPassword();
      tls.setKeyStorePassword(new String(password));
      java.util.Arrays.fill(password, '\0');
    }
    tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    org.eclipse.jetty.server.HttpConfiguration secure = new org.eclipse.jetty.server.HttpConfiguration(http);
    secure.addCustomizer(new org.eclipse.jetty.server.SecureRequestCustomizer());
    org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server,
        new org.eclipse.jetty.server.SslConnectionFactory(tls, "http/1.1"),
        new org.eclipse.jetty.server.HttpConnectionFactory(secure));
    connector.setHost(options.host());
    connector.setPort(options.port());
    return connector;
  }

  private void configure(JavalinConfig cfg) {
    cfg.jetty.host = options.host();
    cfg.jetty.port = options.port();
    cfg.jetty.modifyHttpConfiguration(h -> {
      h.setIdleTimeout(options.idleTimeout().toMillis());
      h.setSendServerVersion(false);
    });
    cfg.jetty.modifyServer(server -> {
      // Requests in progress (also those whose handler returned but whose response is still being
      // written) complete before the connectors close; Javalin places its context inside this.
      server.setStopTimeout(options.httpDrainTimeout().toMillis());
      server.setHandler(new GracefulHandler());
    });
    if (options.tlsCertificateChain().isPresent()) {
      // Read when the server starts, like a key store: a bad file stops start() with its message.
      cfg.jetty.addConnector((server, http) -> https(server, http, dev.sluice.server.internal.PemKeyStore.load(
          options.tlsCertificateChain().get(), options.tlsPrivateKey().orElseThrow(), pemPassword)));
    } else if (options.tlsKeyStore().isPresent()) {
      cfg.jetty.addConnector((server, http) -> https(server, http, null));
    }
    cfg.http.maxRequestSize = options.maxRequestBytes();
    cfg.http.generateEtags = false;
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.router.ignoreTrailingSlashes = false;
    cfg.staticFiles.add(s -> {
      s.hostedPath = "/";
      s.directory = "/dev/sluice/server/dashboard";
      s.location = Location.CLASSPATH;
    });
    cfg.staticFiles.enableWebjars();
    if (!options.corsOrigins().isEmpty()) {
      cfg.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
        String first = options.corsOrigins().get(0);
        String[] rest = options.corsOrigins().subList(1, options.corsOrigins().size()).toArray(new String[0]);
        rule.allowHost(first, rest);
        rule.exposeHeader("ETag");
        rule.exposeHeader("Location");
      }));
    }
    cfg.routes.before(this::before);
    List<Route> apiRoutes = new ArrayList<>(api.routes());
    apiRoutes.addAll(sessions.routes());
    apiRoutes.addAll(new dev.sluice.server.internal.BrowserLogins(options.browserLogins(), sessions, this::publicUrl,
        sluice.store().auditLog()).routes());
    apiRoutes.addAll(new dev.sluice.server.internal.Schedules(sluice, java.time.Clock.systemUTC()).routes());
    for (Route r : apiRoutes) {
      routes.add(new RouteInfo(r.method(), r.path(), r.permission()));
      cfg.routes.addHttpHandler(type(r.method()), r.path(), wrap(r));
    }
    for (String path : sluice.webhooks().paths()) {
      routes.add(new RouteInfo("POST", path, null));
      cfg.routes.addHttpHandler(HandlerType.POST, path, counted(api::webhook));
    }
    routes.add(new RouteInfo("GET", "/openapi.yaml", null));
    cfg.routes.get("/openapi.yaml", c -> resource(c, SPEC_RESOURCE, "application/yaml"));
    routes.add(new RouteInfo("GET", "/docs", null));
    cfg.routes.get("/docs", c -> resource(c, DOCS_RESOURCE + "index.html", "text/html; charset=utf-8"));
    routes.add(new RouteInfo("GET", "/docs/swagger-init.js", null));
    cfg.routes.get("/docs/swagger-init.js",
        c -> resource(c, DOCS_RESOURCE + "swagger-init.js", "text/javascript; charset=utf-8"));

    cfg.routes.exception(ApiProblem.class, (e, c) -> Responses.problem(c, e));
    cfg.routes.exception(UnknownPipelineException.class, (e, c) -> Responses.problem(c,
        new ApiProblem(404, "unknown-pipeline", "Unknown pipeline", e.getMessage())));
    cfg.routes.exception(StaleVersionException.class, (e, c) -> Responses.problem(c,
        ApiProblem.preconditionFailed(e.getMessage())));
    cfg.routes.exception(HttpResponseException.class, (e, c) -> Responses.problem(c, fromJavalin(e.getStatus())));
    cfg.routes.exception(Exception.class, (e, c) -> {
      String id = UUID.randomUUID().toString();
      LOG.error("{} {} failed (error id {})", c.method().name(), c.path(), id, e);
      Responses.problem(c, new ApiProblem(500, "internal-error", "Internal server error",
          "the request failed unexpectedly; the server log has the details under error id " + id));
    });
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      cfg.routes.error(status, c -> {
        if (c.attribute(Responses.PROBLEM_WRITTEN) == null && isApi(c)) {
          Responses.problem(c, fromJavalin(status));
        }
      });
    }
  }

  /**
   * The URL browsers reach this server at: the configured one, else (loopback only, checked by the
   * options) the bound address; never the request's Host header, which the client chooses.
   */
  private java.net.URI publicUrl() {
    return options.publicUrl().orElseGet(() -> {
      String host = options.host().contains(":") && !options.host().startsWith("[") ? "[" + options.host() + "]"
          : options.host();
      return java.net.URI.create((options.tlsKeyStore().isPresent() ? "https" : "http") + "://" + host + ":" + port());
    });
  }

  private static boolean isApi(Context c) {
    String p = c.path();
    return p.startsWith("/api/") || p.startsWith("/health/") || p.equals("/metrics");
  }

  private static ApiProblem fromJavalin(int status) {
    return switch (status) {
      case 404 -> ApiProblem.notFound("no such resource or route; see /openapi.yaml for the API");
      case 405 -> new ApiProblem(405, "method-not-allowed", "Method not allowed",
          "this route does not answer this method; see /openapi.yaml");
      case 413 -> new ApiProblem(413, "too-large", "Request body too large",
          "the request body is larger than this server accepts");
      case 400 -> ApiProblem.badRequest("the request is malformed");
      default -> new ApiProblem(status, "http-" + status, "HTTP " + status, "the request failed with status " + status);
    };
  }

  private void before(Context c) {
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    c.header("Cache-Control", "no-store");
    if (draining) {
      Responses.problem(c, new ApiProblem(503, "shutting-down", "Shutting down",
          "the server is shutting down; retry on another node or later", null, Map.of("Retry-After", "5")));
      c.skipRemainingHandlers();
      return;
    }
    String length = c.header("Content-Length");
    if (length != null && isApi(c)) {
      try {
        if (Long.parseLong(length.trim()) > options.maxRequestBytes()) {
          Responses.problem(c, new ApiProblem(413, "too-large", "Request body too large",
              "the request body is " + length.trim() + " bytes; this server accepts at most "
                  + options.maxRequestBytes()));
          c.skipRemainingHandlers();
        }
      } catch (NumberFormatException e) {
        Responses.problem(c, ApiProblem.badRequest("Content-Length is not a number"));
        c.skipRemainingHandlers();
        return;
      }
    }
    if (c.attribute(Responses.PROBLEM_WRITTEN) == null && sessions.csrfGuard(c)) {
      c.skipRemainingHandlers();
    }
  }

  private Handler wrap(Route r) {
    return counted(c -> {
      Principal principal = null;
      if (r.permission() != null) {
        principal = authorization.authenticate(c);
        authorization.authorize(c, principal, r.permission(), r.pipelineOf().apply(c));
      }
      r.action().handle(c, principal);
    });
  }

  private Handler counted(Handler h) {
    return c -> {
      inFlight.incrementAndGet();
      try {
        h.handle(c);
      } finally {
        if (inFlight.decrementAndGet() == 0 && draining) {
          synchronized (inFlightLock) {
            inFlightLock.notifyAll();
          }
        }
      }
    };
  }

  private static void resource(Context c, String name, String contentType) {
    try (InputStream in = SluiceServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw ApiProblem.notFound(name + " is missing from the server's jar");
      }
      c.contentType(contentType);
      c.result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HandlerType type(String method) {
    return switch (method.toUpperCase(Locale.ROOT)) {
      case "GET" -> HandlerType.GET;
      case "POST" -> HandlerType.POST;
      case "PUT" -> HandlerType.PUT;
      case "DELETE" -> HandlerType.DELETE;
      case "PATCH" -> HandlerType.PATCH;
      default -> throw new IllegalArgumentException("unsupported method " + method);
    };
  }
}
