package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.auth.Actor;
import dev.sluice.auth.ApiKeyInfo;
import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.CreatedApiKey;
import dev.sluice.auth.LocalAuth;
import dev.sluice.auth.PasswordPolicyException;
import dev.sluice.auth.Permission;
import dev.sluice.auth.Principal;
import dev.sluice.auth.RoleDefinition;
import dev.sluice.auth.TokenPair;
import dev.sluice.auth.UserInfo;
import dev.sluice.store.AuditEvent;
import io.javalin.http.Context;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The local-auth routes: login, refresh and logout (public: they take credentials in the body),
 * users, roles and API keys ({@code users:admin}) and the audit log ({@code audit:read}), on a
 * {@link LocalAuth}. Failed logins are throttled by LocalAuth's lockout per user and per address.
 */
public final class AuthApi {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private final LocalAuth auth;

  public AuthApi(LocalAuth auth) {
    this.auth = auth;
  }

  /** Request bodies. */
  public record Login(String username, String password) {}

  public record Refresh(String refreshToken) {}

  public record NewUser(String username, String password, Set<String> roles) {}

  public record Roles(Set<String> roles) {}

  public record Password(String password) {}

  public record Enabled(Boolean enabled) {}

  public record NewApiKey(String name, String owner, Set<String> roles, String expiresAt) {}

  public List<Route> routes() {
    List<Route> r = new ArrayList<>();
    r.add(new Route("POST", "/api/v1/auth/login", null, c -> null, (c, p) -> login(c)));
    r.add(new Route("POST", "/api/v1/auth/refresh", null, c -> null, (c, p) -> refresh(c)));
    r.add(new Route("POST", "/api/v1/auth/logout", null, c -> null, (c, p) -> logout(c)));
    r.add(new Route("GET", "/api/v1/users", Permission.USERS_ADMIN, c -> null, (c, p) -> users(c)));
    r.add(new Route("POST", "/api/v1/users", Permission.USERS_ADMIN, c -> null, this::createUser));
    r.add(new Route("GET", "/api/v1/users/{username}", Permission.USERS_ADMIN, c -> null, (c, p) -> user(c)));
    r.add(new Route("DELETE", "/api/v1/users/{username}", Permission.USERS_ADMIN, c -> null, this::deleteUser));
    r.add(new Route("PUT", "/api/v1/users/{username}/roles", Permission.USERS_ADMIN, c -> null, this::setRoles));
    r.add(new Route("PUT", "/api/v1/users/{username}/password", Permission.USERS_ADMIN, c -> null, this::setPassword));
    r.add(new Route("PUT", "/api/v1/users/{username}/enabled", Permission.USERS_ADMIN, c -> null, this::setEnabled));
    r.add(new Route("GET", "/api/v1/roles", Permission.USERS_ADMIN, c -> null, (c, p) -> roles(c)));
    r.add(new Route("GET", "/api/v1/api-keys", Permission.USERS_ADMIN, c -> null, (c, p) -> apiKeys(c)));
    r.add(new Route("POST", "/api/v1/api-keys", Permission.USERS_ADMIN, c -> null, this::createApiKey));
    r.add(new Route("DELETE", "/api/v1/api-keys/{id}", Permission.USERS_ADMIN, c -> null, this::revokeApiKey));
    r.add(new Route("GET", "/api/v1/audit", Permission.AUDIT_READ, c -> null, (c, p) -> audit(c)));
    return r;
  }

  private static String client(Context c) {
    return c.ip();
  }

  private static Actor actor(Context c, Principal p) {
    return Actor.of(p, client(c));
  }

  private void login(Context c) {
    Login body = JsonBodies.read(c, Login.class);
    if (body.username() == null || body.password() == null) {
      throw ApiProblem.invalidBody("send {\"username\": ..., \"password\": ...}");
    }
    char[] password = body.password().toCharArray();
    try {
      Responses.json(c, 200, tokens(auth.login(body.username(), password, client(c))));
    } catch (AuthenticationException e) {
      throw authProblem(e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private void refresh(Context c) {
    Refresh body = JsonBodies.read(c, Refresh.class);
    if (body.refreshToken() == null) {
      throw ApiProblem.invalidBody("/refreshToken: required");
    }
    try {
      Responses.json(c, 200, tokens(auth.refresh(body.refreshToken(), client(c))));
    } catch (AuthenticationException e) {
      throw authProblem(e);
    }
  }

  private void logout(Context c) {
    Refresh body = JsonBodies.read(c, Refresh.class);
    if (body.refreshToken() == null) {
      throw ApiProblem.invalidBody("/refreshToken: required");
    }
    auth.logout(body.refreshToken(), client(c));
    c.status(204);
  }

  private static ApiProblem authProblem(AuthenticationException e) {
    return switch (e.reason()) {
      case LOCKED_OUT -> {
        long seconds = e.retryAfter().map(t -> Math.max(1, Duration.between(Instant.now(), t).toSeconds())).orElse(60L);
        yield new ApiProblem(429, "locked-out", "Too many failed logins", e.getMessage(), null,
            Map.of("Retry-After", Long.toString(seconds)));
      }
      case INVALID_CREDENTIALS -> new ApiProblem(401, "invalid-credentials", "Invalid credentials", e.getMessage());
      case TOKEN_REUSED -> new ApiProblem(401, "token-reused", "Refresh token reused", e.getMessage());
      default -> new ApiProblem(401, "invalid-token", "Invalid token", e.getMessage());
    };
  }

  private static ObjectNode tokens(TokenPair t) {
    ObjectNode n = F.objectNode();
    n.put("tokenType", t.tokenType());
    n.put("accessToken", t.accessToken());
    n.put("accessTokenExpiresAt", t.accessTokenExpiresAt().toString());
    n.put("refreshToken", t.refreshToken());
    n.put("refreshTokenExpiresAt", t.refreshTokenExpiresAt().toString());
    return n;
  }

  private static ObjectNode user(UserInfo u) {
    ObjectNode n = F.objectNode();
    n.put("username", u.username());
    ArrayNode roles = n.putArray("roles");
    u.roles().stream().sorted().forEach(roles::add);
    n.put("enabled", u.enabled());
    n.put("createdAt", u.createdAt().toString());
    if (u.lockedUntil() != null) {
      n.put("lockedUntil", u.lockedUntil().toString());
    }
    return n;
  }

  private void users(Context c) {
    ArrayNode items = F.arrayNode();
    auth.users().forEach(u -> items.add(user(u)));
    ObjectNode out = F.objectNode();
    out.set("items", items);
    Responses.json(c, 200, out);
  }

  private void user(Context c) {
    String name = c.pathParam("username");
    Responses.json(c, 200, user(auth.user(name).orElseThrow(() -> unknownUser(name))));
  }

  private static ApiProblem unknownUser(String name) {
    return new ApiProblem(404, "unknown-user", "Unknown user", "no user is named '" + name + "'");
  }

  private void createUser(Context c, Principal p) {
    NewUser body = JsonBodies.read(c, NewUser.class);
    if (body.username() == null || body.password() == null || body.roles() == null) {
      throw ApiProblem.invalidBody("send {\"username\": ..., \"password\": ..., \"roles\": [...]}");
    }
    if (auth.user(body.username()).isPresent()) {
      throw ApiProblem.conflict("user '" + body.username() + "' exists already");
    }
    char[] password = body.password().toCharArray();
    try {
      UserInfo u = auth.createUser(actor(c, p), body.username(), password, body.roles());
      c.header("Location", "/api/v1/users/" + u.username());
      Responses.json(c, 201, user(u));
    } catch (PasswordPolicyException e) {
      throw new ApiProblem(422, "weak-password", "The password breaks the policy", e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ApiProblem.invalidBody(e.getMessage());
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private void deleteUser(Context c, Principal p) {
    String name = c.pathParam("username");
    if (!auth.deleteUser(actor(c, p), name)) {
      throw unknownUser(name);
    }
    c.status(204);
  }

  private void setRoles(Context c, Principal p) {
    String name = c.pathParam("username");
    Roles body = JsonBodies.read(c, Roles.class);
    if (body.roles() == null) {
      throw ApiProblem.invalidBody("/roles: required, an array of role names");
    }
    requireUser(name);
    try {
      auth.setRoles(actor(c, p), name, body.roles());
    } catch (IllegalArgumentException e) {
      throw ApiProblem.invalidBody(e.getMessage());
    }
    Responses.json(c, 200, user(auth.user(name).orElseThrow(() -> unknownUser(name))));
  }

  private void setPassword(Context c, Principal p) {
    String name = c.pathParam("username");
    Password body = JsonBodies.read(c, Password.class);
    if (body.password() == null) {
      throw ApiProblem.invalidBody("/password: required");
    }
    requireUser(name);
    char[] password = body.password().toCharArray();
    try {
      auth.setPassword(actor(c, p), name, password);
    } catch (PasswordPolicyException e) {
      throw new ApiProblem(422, "weak-password", "The password breaks the policy", e.getMessage());
    } finally {
      Arrays.fill(password, '\0');
    }
    c.status(204);
  }

  private void setEnabled(Context c, Principal p) {
    String name = c.pathParam("username");
    Enabled body = JsonBodies.read(c, Enabled.class);
    if (body.enabled() == null) {
      throw ApiProblem.invalidBody("/enabled: required, true or false");
    }
    requireUser(name);
    auth.setEnabled(actor(c, p), name, body.enabled());
    Responses.json(c, 200, user(auth.user(name).orElseThrow(() -> unknownUser(name))));
  }

  private void requireUser(String name) {
    if (auth.user(name).isEmpty()) {
      throw unknownUser(name);
    }
  }

  private void roles(Context c) {
    ArrayNode items = F.arrayNode();
    for (RoleDefinition r : auth.roles()) {
      ObjectNode n = items.addObject();
      n.put("name", r.name());
      n.put("description", r.description());
      n.put("builtIn", r.builtIn());
      ArrayNode grants = n.putArray("grants");
      r.grants().stream().map(Object::toString).sorted().forEach(grants::add);
    }
    ObjectNode out = F.objectNode();
    out.set("items", items);
    Responses.json(c, 200, out);
  }

  private static ObjectNode apiKey(ApiKeyInfo k) {
    ObjectNode n = F.objectNode();
    n.put("id", k.id());
    n.put("name", k.name());
    n.put("owner", k.owner());
    ArrayNode roles = n.putArray("roles");
    k.roles().stream().sorted().forEach(roles::add);
    n.put("createdAt", k.createdAt().toString());
    if (k.expiresAt() != null) {
      n.put("expiresAt", k.expiresAt().toString());
    }
    n.put("revoked", k.revoked());
    if (k.lastUsedAt() != null) {
      n.put("lastUsedAt", k.lastUsedAt().toString());
    }
    return n;
  }

  private void apiKeys(Context c) {
    ArrayNode items = F.arrayNode();
    auth.apiKeys(c.queryParam("owner")).forEach(k -> items.add(apiKey(k)));
    ObjectNode out = F.objectNode();
    out.set("items", items);
    Responses.json(c, 200, out);
  }

  private void createApiKey(Context c, Principal p) {
    NewApiKey body = JsonBodies.read(c, NewApiKey.class);
    if (body.name() == null || body.owner() == null || body.roles() == null) {
      throw ApiProblem.invalidBody("send {\"name\": ..., \"owner\": ..., \"roles\": [...], \"expiresAt\": optional}");
    }
    Instant expires = null;
    if (body.expiresAt() != null) {
      try {
        expires = Instant.parse(body.expiresAt());
      } catch (DateTimeParseException e) {
        throw ApiProblem.invalidBody("/expiresAt: expected an ISO-8601 instant, got '" + body.expiresAt() + "'");
      }
    }
    CreatedApiKey k;
    try {
      k = auth.createApiKey(actor(c, p), body.owner(), body.name(), body.roles(), expires);
    } catch (IllegalArgumentException e) {
      throw ApiProblem.invalidBody(e.getMessage());
    }
    ObjectNode n = apiKey(k.info());
    n.put("key", k.key());
    c.header("Location", "/api/v1/api-keys/" + k.info().id());
    Responses.json(c, 201, n);
  }

  private void revokeApiKey(Context c, Principal p) {
    String id = c.pathParam("id");
    if (!auth.revokeApiKey(actor(c, p), id)) {
      throw new ApiProblem(404, "unknown-api-key", "Unknown API key", "no API key has the id '" + id + "'");
    }
    c.status(204);
  }

  private void audit(Context c) {
    long before = Long.MAX_VALUE;
    String b = c.queryParam("cursor");
    if (b != null && !b.isBlank()) {
      try {
        before = Long.parseLong(b);
      } catch (NumberFormatException e) {
        throw ApiProblem.badRequest("cursor: not a cursor this server gave out");
      }
    }
    int limit = 50;
    String l = c.queryParam("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
        if (limit < 1 || limit > 500) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw ApiProblem.badRequest("limit: expected a whole number from 1 to 500, got '" + l + "'");
      }
    }
    List<AuditEvent> events = auth.auditEvents(before, limit + 1);
    boolean more = events.size() > limit;
    if (more) {
      events = events.subList(0, limit);
    }
    ArrayNode items = F.arrayNode();
    for (AuditEvent e : events) {
      ObjectNode n = items.addObject();
      n.put("id", e.id());
      n.put("at", e.at().toString());
      n.put("actor", e.actor());
      n.put("action", e.action());
      if (e.target() != null) {
        n.put("target", e.target());
      }
      n.put("success", e.success());
      if (e.clientAddress() != null) {
        n.put("clientAddress", e.clientAddress());
      }
      if (e.detail() != null) {
        n.put("detail", e.detail());
      }
    }
    ObjectNode out = F.objectNode();
    out.set("items", items);
    if (more) {
      out.put("nextCursor", Long.toString(events.get(events.size() - 1).id()));
    } else {
      out.putNull("nextCursor");
    }
    Responses.json(c, 200, out);
  }
}
