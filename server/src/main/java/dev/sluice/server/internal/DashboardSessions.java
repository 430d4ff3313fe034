package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.Principal;
import dev.sluice.server.SessionOptions;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's server-side sessions: login/logout/who-am-I routes, the cookie, CSRF tokens,
 * idle and absolute expiry, and the per-address login rate limit. Session ids and CSRF tokens are
 * 256 random bits; neither is ever logged. Thread-safe.
 */
public final class DashboardSessions {
  /** The cookie's name. */
  public static final String COOKIE = "sluice_session";
  /** The header carrying the CSRF token on state-changing requests. */
  public static final String CSRF_HEADER = "X-CSRF-Token";
  /**
   * A script-readable cookie with the session's CSRF token, for servers that also check the
   * double-submit pattern (the token in this cookie equals the {@value #CSRF_HEADER} header).
   */
  public static final String CSRF_COOKIE = "sluice_csrf";
  /** The session routes' path. */
  public static final String PATH = "/api/v1/session";

  private static final Logger LOG = LoggerFactory.getLogger(DashboardSessions.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final int MAX_SESSIONS = 10_000;
  private static final int MAX_TRACKED_ADDRESSES = 10_000;

  private final SessionOptions options; // null: no sessions (neither password nor browser login)
  private final List<dev.sluice.auth.BrowserLogin> browserLogins;
  private final boolean alwaysSecure; // the public URL is https: cookies are Secure whatever the request
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> byId = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
  private final SessionAuthenticator authenticator = new SessionAuthenticator(this);

  /** One login. {@code lastSeen} is guarded by the instance. */
  static final class Session {
    final String id;
    final String csrf;
    final Principal principal;
    final Instant created;
    Instant lastSeen;

    Session(String id, String csrf, Principal principal, Instant created) {
      this.id = id;
      this.csrf = csrf;
      this.principal = principal;
      this.created = created;
      this.lastSeen = created;
    }

    Principal principal() {
      return principal;
    }
  }

  /** @param options null when the server offers no password login (the routes then say so) */
  public DashboardSessions(SessionOptions options) {
    this(options, List.of(), false);
  }

  /**
   * @param options null when the server offers no sessions (the routes then say so)
   * @param browserLogins the "Sign in with …" logins the who-am-I answer lists, never null
   * @param alwaysSecure whether cookies are always {@code Secure} (the public URL is https)
   */
  public DashboardSessions(SessionOptions options, List<dev.sluice.auth.BrowserLogin> browserLogins,
      boolean alwaysSecure) {
    this.options = options;
    this.browserLogins = List.copyOf(browserLogins);
    this.alwaysSecure = alwaysSecure;
  }

  /** Whether sessions can be opened at all (a password or a browser login is configured). */
  public boolean enabled() {
    return options != null;
  }

  /** The authenticator that recognises the cookie; first in the server's chain. */
  public SessionAuthenticator authenticator() {
    return authenticator;
  }

  /** The three session routes; public (they check their own credentials). */
  public List<Route> routes() {
    return List.of(
        new Route("GET", PATH, null, c -> null, (c, p) -> whoAmI(c)),
        new Route("POST", PATH, null, c -> null, (c, p) -> login(c)),
        new Route("DELETE", PATH, null, c -> null, (c, p) -> logout(c)));
  }

  // ------------------------------------------------------------------ lookup

  static Optional<String> sessionIdFromCookie(String header) {
    for (String part : header.split(";")) {
      String p = part.trim();
      if (p.startsWith(COOKIE + "=")) {
        String v = p.substring(COOKIE.length() + 1).trim();
        if (!v.isEmpty() && v.length() <= 100) {
          return Optional.of(v);
        }
      }
    }
    return Optional.empty();
  }

  /** The live session with this id, its idle clock restarted; empty when unknown or expired. */
  Optional<Session> touch(String id) {
    Session s = byId.get(id);
    if (s == null || options == null) {
      return Optional.empty();
    }
    Instant now = options.clock().instant();
    synchronized (s) {
      if (expired(s, now)) {
        byId.remove(id, s);
        return Optional.empty();
      }
      s.lastSeen = now;
    }
    return Optional.of(s);
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastSeen.plus(options.idleTimeout()))
        || !now.isBefore(s.created.plus(options.absoluteTimeout()));
  }

  private Optional<Session> fromRequest(Context c) {
    String cookie = c.header("Cookie");
    return cookie == null ? Optional.empty() : sessionIdFromCookie(cookie).flatMap(this::touch);
  }

  // ------------------------------------------------------------------ CSRF

  /**
   * Before every request: a state-changing API request that the session cookie would authenticate
   * (no {@code Authorization} header, a live session) must carry the session's CSRF token, else
   * 403. Logging in is exempt (it has no session yet). Answers and returns true when it refused.
   */
  public boolean csrfGuard(Context c) {
    String method = c.method().name().toUpperCase(Locale.ROOT);
    if (!STATE_CHANGING.contains(method) || !c.path().startsWith("/api/") || c.header("Authorization") != null) {
      return false;
    }
    if (method.equals("POST") && c.path().equals(PATH)) {
      return false;
    }
    Optional<Session> s = fromRequest(c);
    if (s.isEmpty()) {
      return false; // not a cookie session: authentication decides
    }
    String sent = c.header(CSRF_HEADER);
    if (sent == null || sent.isBlank()) {
      Responses.problem(c, new ApiProblem(403, "csrf-token-missing", "CSRF token missing",
          "a request authenticated by the session cookie that changes state must send the session's CSRF token"
              + " in " + CSRF_HEADER + " (GET " + PATH + " returns it)"));
      return true;
    }
    if (!MessageDigest.isEqual(sent.trim().getBytes(StandardCharsets.UTF_8), s.get().csrf.getBytes(StandardCharsets.UTF_8))) {
      Responses.problem(c, new ApiProblem(403, "csrf-token-invalid", "CSRF token invalid",
          "the " + CSRF_HEADER + " header does not match this session's token; GET " + PATH + " for the current one"));
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------ routes

  private void whoAmI(Context c) {
    Optional<Session> s = fromRequest(c);
    ObjectNode n = s.map(this::describe).orElseGet(() -> {
      ObjectNode o = F.objectNode();
      o.put("authenticated", false);
      return o;
    });
    n.put("passwordLogin", passwordLogin());
    var list = n.putArray("browserLogins");
    for (dev.sluice.auth.BrowserLogin l : browserLogins) {
      list.addObject().put("id", l.id()).put("label", l.label()).put("href", PATH + "/sso/" + l.id());
    }
    Responses.json(c, 200, n);
  }

  private ObjectNode describe(Session s) {
    ObjectNode n = F.objectNode();
    n.put("authenticated", true);
    n.put("passwordLogin", passwordLogin());
    ObjectNode p = n.putObject("principal");
    p.put("name", s.principal.name());
    s.principal.roles().stream().sorted().forEach(p.putArray("roles")::add);
    n.put("csrfToken", s.csrf);
    synchronized (s) {
      Instant idleEnd = s.lastSeen.plus(options.idleTimeout());
      Instant absoluteEnd = s.created.plus(options.absoluteTimeout());
      n.put("expiresAt", (idleEnd.isBefore(absoluteEnd) ? idleEnd : absoluteEnd).toString());
    }
    return n;
  }

  /** The login body; unknown fields are refused. */
  record Login(String username, String password) {}

  private boolean passwordLogin() {
    return options != null && options.passwordLogin().isPresent();
  }

  private void login(Context c) {
    if (!passwordLogin()) {
      throw new ApiProblem(501, "password-login-not-configured", "Password login is not configured",
          "this server was started without a password login; authenticate with Authorization: Bearer");
    }
    String address = c.ip();
    Instant now = options.clock().instant();
    long retryAfter = retryAfterSeconds(address, now);
    if (retryAfter > 0) {
      throw new ApiProblem(429, "too-many-login-failures", "Too many failed logins",
          "too many failed logins from this address; wait " + retryAfter + " s before trying again", null,
          Map.of("Retry-After", Long.toString(retryAfter)));
    }
    Login body = JsonBodies.read(c, Login.class);
    if (body.username() == null || body.username().isBlank() || body.username().length() > 256) {
      throw ApiProblem.invalidBody("/username: required, 1-256 characters");
    }
    if (body.password() == null || body.password().isEmpty() || body.password().length() > 1024) {
      throw ApiProblem.invalidBody("/password: required, 1-1024 characters");
    }
    char[] password = body.password().toCharArray();
    Optional<Principal> principal;
    try {
      principal = options.passwordLogin().orElseThrow().login(body.username(), password, address);
    } catch (RuntimeException e) {
      LOG.error("the password login failed with {} (no details logged: they may carry credentials)",
          e.getClass().getName());
      throw new ApiProblem(500, "login-failed", "Login failed", "the server could not check the password; see its log");
    } finally {
      Arrays.fill(password, '\0');
    }
    if (principal == null || principal.isEmpty()) {
      recordFailure(address, now);
      throw new ApiProblem(401, "invalid-credentials", "Invalid credentials",
          "the username or the password is wrong");
    }
    clearFailures(address);
    Session s = open(c, principal.get(), now);
    LOG.info("dashboard login: {}", principal.get().name());
    Responses.json(c, 200, describe(s));
  }

  /**
   * Opens a session for {@code principal} and sets its cookies on the response (the session cookie
   * and the CSRF cookie, with the same flags for every kind of login). An old session the request
   * carries ends: a fresh id every login (no session fixation).
   *
   * @throws IllegalStateException when the server has no sessions
   */
  void open(Context c, Principal principal) {
    if (options == null) {
      throw new IllegalStateException("this server has no dashboard sessions");
    }
    open(c, principal, options.clock().instant());
  }

  private Session open(Context c, Principal principal, Instant now) {
    fromRequest(c).ifPresent(old -> byId.remove(old.id, old));
    Session s = new Session(token(), token(), principal, now);
    evictIfFull(now);
    byId.put(s.id, s);
    c.res().addHeader("Set-Cookie", cookie(c, COOKIE, s.id, options.absoluteTimeout().toSeconds(), true));
    c.res().addHeader("Set-Cookie", cookie(c, CSRF_COOKIE, s.csrf, options.absoluteTimeout().toSeconds(), false));
    return s;
  }

  private void logout(Context c) {
    fromRequest(c).ifPresent(s -> byId.remove(s.id, s));
    c.res().addHeader("Set-Cookie", cookie(c, COOKIE, "", 0, true));
    c.res().addHeader("Set-Cookie", cookie(c, CSRF_COOKIE, "", 0, false));
    c.status(204);
  }

  /** Whether cookies set on this response are marked {@code Secure}. */
  boolean secure(Context c) {
    return c.req().isSecure() || alwaysSecure || (options != null && options.secureCookie());
  }

  /** The clock sessions are timed by; the system UTC clock when there are no sessions. */
  java.time.Clock clock() {
    return options == null ? java.time.Clock.systemUTC() : options.clock();
  }

  private String cookie(Context c, String name, String value, long maxAgeSeconds, boolean httpOnly) {
    StringBuilder sb = new StringBuilder(name).append('=').append(value)
        .append("; Path=/; Max-Age=").append(maxAgeSeconds).append(httpOnly ? "; HttpOnly" : "")
        .append("; SameSite=Strict");
    if (secure(c)) {
      sb.append("; Secure");
    }
    return sb.toString();
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private void evictIfFull(Instant now) {
    if (byId.size() < MAX_SESSIONS) {
      return;
    }
    byId.values().removeIf(s -> {
      synchronized (s) {
        return expired(s, now);
      }
    });
    if (byId.size() >= MAX_SESSIONS) {
      // Still full of live sessions: end the least recently used one.
      byId.values().stream().min((a, b) -> a.lastSeen.compareTo(b.lastSeen)).ifPresent(s -> byId.remove(s.id, s));
    }
  }

  // ------------------------------------------------------------------ rate limit

  private long retryAfterSeconds(String address, Instant now) {
    Deque<Instant> d = failures.get(address);
    if (d == null) {
      return 0;
    }
    synchronized (d) {
      prune(d, now);
      if (d.size() < options.maxLoginFailures()) {
        return 0;
      }
      Instant free = d.peekFirst().plus(options.failureWindow());
      return Math.max(1, (Duration.between(now, free).toMillis() + 999) / 1000);
    }
  }

  private void recordFailure(String address, Instant now) {
    if (failures.size() >= MAX_TRACKED_ADDRESSES) {
      failures.entrySet().removeIf(e -> {
        synchronized (e.getValue()) {
          prune(e.getValue(), now);
          return e.getValue().isEmpty();
        }
      });
    }
    Deque<Instant> d = failures.computeIfAbsent(address, k -> new ArrayDeque<>());
    synchronized (d) {
      prune(d, now);
      d.addLast(now);
    }
  }

  private void clearFailures(String address) {
    failures.remove(address);
  }

  private void prune(Deque<Instant> d, Instant now) {
    Instant cutoff = now.minus(options.failureWindow());
    for (Iterator<Instant> it = d.iterator(); it.hasNext(); ) {
      if (!it.next().isAfter(cutoff)) {
        it.remove();
      } else {
        break;
      }
    }
  }
}
