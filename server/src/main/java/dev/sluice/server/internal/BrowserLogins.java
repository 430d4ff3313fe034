package dev.sluice.server.internal;

import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.BrowserLogin;
import dev.sluice.auth.Principal;
import dev.sluice.store.AuditEvent;
import dev.sluice.store.AuditLog;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's browser logins ("Sign in with …"): {@code GET /api/v1/session/sso/{id}} starts
 * one and redirects to the provider, {@code GET /api/v1/session/sso/{id}/callback} finishes it and
 * opens a session exactly as the password login does, then redirects to the dashboard.
 *
 * <p>Started logins are kept here, keyed by their {@code state}, for {@link #MAX_AGE} and one use,
 * at most {@link #MAX_PENDING} at a time (the oldest give way), so nobody can fill the memory by
 * starting logins. Each is bound to the browser that started it by a random value in an {@code
 * HttpOnly} cookie ({@value #BINDING_COOKIE}, {@code SameSite=Lax} because the provider's redirect
 * back is a cross-site navigation) whose hash the pending login keeps: a callback URL with someone
 * else's code and state (login CSRF) is refused. Failures redirect to {@code /#login?error=CODE}
 * with a fixed code, never the provider's text. Codes, states and binding values are never logged.
 * Thread-safe.
 */
public final class BrowserLogins {
  /** How long a started login waits for its callback. */
  static final Duration MAX_AGE = Duration.ofMinutes(10);
  /** How many started logins are kept at most. */
  static final int MAX_PENDING = 5_000;
  /** The cookie binding a started login to its browser. */
  public static final String BINDING_COOKIE = "sluice_sso";
  private static final String PATH = DashboardSessions.PATH + "/sso";
  private static final Logger LOG = LoggerFactory.getLogger(BrowserLogins.class);
  private static final int MAX_QUERY_PARAMETERS = 20;

  private final Map<String, BrowserLogin> byId = new LinkedHashMap<>();
  private final DashboardSessions sessions;
  private final Supplier<URI> baseUrl;
  private final Optional<AuditLog> audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  /** Insertion-ordered (oldest first); guarded by itself. */
  private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();

  /** A started login, kept until its callback. */
  private record Pending(String loginId, BrowserLogin.Started started, byte[] bindingHash, Instant expiresAt) {}

  /**
   * @param logins the configured logins, ids unique
   * @param sessions opens the sessions
   * @param baseUrl the server's public URL without a trailing slash (read on each start, since the
   *     bound port is known only once listening)
   * @param audit where logins are recorded, if the store keeps an audit log
   */
  public BrowserLogins(List<BrowserLogin> logins, DashboardSessions sessions, Supplier<URI> baseUrl,
      Optional<AuditLog> audit) {
    logins.forEach(l -> byId.put(l.id(), l));
    this.sessions = sessions;
    this.baseUrl = baseUrl;
    this.audit = audit;
    this.clock = sessions.clock();
  }

  /** The two routes; public (the provider authenticates the user). */
  public List<Route> routes() {
    return List.of(
        new Route("GET", PATH + "/{id}", null, c -> null, (c, p) -> start(c)),
        new Route("GET", PATH + "/{id}/callback", null, c -> null, (c, p) -> callback(c)));
  }

  /** How many started logins are waiting (for tests). */
  int pendingCount() {
    synchronized (pending) {
      return pending.size();
    }
  }

  private BrowserLogin login(Context c) {
    BrowserLogin l = byId.get(c.pathParam("id"));
    if (l == null || !sessions.enabled()) {
      throw ApiProblem.notFound("no browser login '" + printable(c.pathParam("id")) + "' on this server; GET "
          + DashboardSessions.PATH + " lists them under browserLogins");
    }
    return l;
  }

  private void start(Context c) {
    BrowserLogin login = login(c);
    URI redirectUri = URI.create(baseUrl.get() + PATH + "/" + login.id() + "/callback");
    BrowserLogin.Started started;
    try {
      started = login.begin(redirectUri);
    } catch (AuthenticationException e) {
      LOG.warn("browser login {} could not start: {}", login.id(), e.getMessage());
      fail(c, login, "unavailable", "could not start: " + e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.error("browser login {} failed to start with {} (no details logged: they may carry credentials)",
          login.id(), e.getClass().getName());
      fail(c, login, "unavailable", "could not start: " + e.getClass().getSimpleName());
      return;
    }
    String scheme = started == null ? null : started.location().getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("https") || scheme.equalsIgnoreCase("http"))) {
      LOG.error("browser login {} returned a location that is not an http(s) URL; not redirecting", login.id());
      fail(c, login, "unavailable", "the login returned no http(s) location");
      return;
    }
    String binding = token();
    Instant now = clock.instant();
    synchronized (pending) {
      // Expired ones first, then the oldest live ones if still full.
      for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
        if (!now.isBefore(it.next().expiresAt())) {
          it.remove();
        }
      }
      while (pending.size() >= MAX_PENDING) {
        Iterator<String> oldest = pending.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      pending.put(started.state(), new Pending(login.id(), started, sha256(binding), now.plus(MAX_AGE)));
    }
    c.res().addHeader("Set-Cookie", bindingCookie(c, binding, MAX_AGE.toSeconds()));
    redirect(c, started.location().toString());
  }

  private void callback(Context c) {
    BrowserLogin login = login(c);
    // The binding cookie has done its job whatever happens next.
    c.res().addHeader("Set-Cookie", bindingCookie(c, "", 0));
    Map<String, List<String>> raw = c.queryParamMap();
    if (raw.size() > MAX_QUERY_PARAMETERS || raw.values().stream().anyMatch(v -> v.size() != 1)) {
      fail(c, login, "failed", "malformed callback query");
      return;
    }
    Map<String, String> query = new LinkedHashMap<>();
    raw.forEach((k, v) -> query.put(k, v.get(0)));
    String state = query.get("state");
    Pending p;
    synchronized (pending) {
      p = state == null ? null : pending.remove(state); // single use: gone whatever the outcome
    }
    if (p == null || !p.loginId().equals(login.id()) || !clock.instant().isBefore(p.expiresAt())) {
      LOG.info("browser login {} callback refused: unknown, used or expired state", login.id());
      fail(c, login, "expired", "unknown, used or expired state");
      return;
    }
    String binding = cookie(c.header("Cookie"));
    if (binding == null || !MessageDigest.isEqual(sha256(binding), p.bindingHash())) {
      LOG.info("browser login {} callback refused: it did not come from the browser that started the login",
          login.id());
      fail(c, login, "browser", "callback from another browser than the one that started the login");
      return;
    }
    Principal principal;
    try {
      principal = login.complete(p.started(), Map.copyOf(query));
    } catch (AuthenticationException e) {
      String error = query.get("error");
      String code = error == null ? "failed" : error.equals("access_denied") ? "denied" : "provider";
      LOG.info("browser login {} refused: {}", login.id(), e.getMessage());
      fail(c, login, code, e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.error("browser login {} failed with {} (no details logged: they may carry credentials)", login.id(),
          e.getClass().getName());
      fail(c, login, "failed", "failed with " + e.getClass().getSimpleName());
      return;
    }
    if (principal == null) {
      LOG.error("browser login {} returned no principal", login.id());
      fail(c, login, "failed", "no principal");
      return;
    }
    sessions.open(c, principal);
    LOG.info("dashboard login: {} (browser login {})", printable(principal.name()), login.id());
    record(principal.name(), c, true, "browser login " + login.id());
    redirect(c, basePath() + "/");
  }

  private void fail(Context c, BrowserLogin login, String code, String detail) {
    record("anonymous", c, false, "browser login " + login.id() + " refused (" + code + "): " + detail);
    redirect(c, basePath() + "/#login?error=" + code);
  }

  /** A 302 without a body (Javalin's redirect writes one). */
  private static void redirect(Context c, String location) {
    c.status(302);
    c.header("Location", location);
    c.result("");
  }

  private void record(String actor, Context c, boolean success, String detail) {
    audit.ifPresent(log -> {
      try {
        log.append(AuditEvent.of(clock.instant(), printable(actor), "login", printable(actor), success,
            printable(c.ip()), printable(detail)));
      } catch (RuntimeException e) {
        LOG.warn("could not write the audit event of a browser login: {}", e.getMessage());
      }
    });
  }

  /** The path of the public URL (e.g. {@code /sluice} behind a proxy), "" at the root. */
  private String basePath() {
    String path = baseUrl.get().getRawPath();
    return path == null ? "" : path;
  }

  private String bindingCookie(Context c, String value, long maxAgeSeconds) {
    return BINDING_COOKIE + "=" + value + "; Path=" + basePath() + PATH + "; Max-Age=" + maxAgeSeconds
        + "; HttpOnly; SameSite=Lax" + (sessions.secure(c) ? "; Secure" : "");
  }

  private static String cookie(String header) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(";")) {
      String p = part.trim();
      if (p.startsWith(BINDING_COOKIE + "=")) {
        String v = p.substring(BINDING_COOKIE.length() + 1).trim();
        return v.isEmpty() || v.length() > 100 ? null : v;
      }
    }
    return null;
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static byte[] sha256(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  /** Client-chosen text for logs and the audit log: no control characters, at most 200 characters. */
  private static String printable(String s) {
    if (s == null) {
      return null;
    }
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 200 ? t.substring(0, 200) + "…" : t;
  }
}
