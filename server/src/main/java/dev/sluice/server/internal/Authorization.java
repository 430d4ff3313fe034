package dev.sluice.server.internal;

import dev.sluice.auth.AccessDecision;
import dev.sluice.auth.AccessPolicy;
import dev.sluice.auth.Permission;
import dev.sluice.auth.Principal;
import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import io.javalin.http.Context;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authentication chain and the access policy, applied to one request: the first authenticator
 * that answers other than not-applicable decides (a rejection is final, never passed on); then the
 * policy decides the route's permission.
 */
public final class Authorization {
  private static final Logger LOG = LoggerFactory.getLogger(Authorization.class);
  private static final String PRINCIPAL = "sluice.principal";
  private static final String POLICY = "sluice.policy";

  private final List<Authenticator> chain;
  private final AccessPolicy policy;

  public Authorization(List<Authenticator> chain, AccessPolicy policy) {
    this.chain = List.copyOf(chain);
    this.policy = policy;
  }

  /** Who calls; 401 when nobody vouches for the request or an authenticator rejects it. */
  public Principal authenticate(Context c) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    var names = c.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String h = names.nextElement();
      headers.put(h, Collections.list(c.req().getHeaders(h)));
    }
    AuthRequest request = new AuthRequest(c.method().name(), c.path(), headers);
    for (Authenticator a : chain) {
      AuthResult r;
      try {
        r = a.authenticate(request);
      } catch (RuntimeException e) {
        LOG.error("authenticator {} failed on {} {}: {}", a.getClass().getName(), c.method().name(), c.path(),
            e.getClass().getName());
        throw new ApiProblem(500, "authentication-failed", "Authentication failed",
            "the server could not check the credentials; see its log");
      }
      switch (r.status()) {
        case AUTHENTICATED -> {
          Principal p = r.principal().orElseThrow();
          c.attribute(PRINCIPAL, p);
          c.attribute(POLICY, policy);
          return p;
        }
        case REJECTED -> throw unauthorized("the credentials were rejected: " + r.reason().orElse("no reason given"));
        default -> {
          // not applicable: ask the next one
        }
      }
    }
    throw unauthorized("this route needs authentication: send Authorization: Bearer <token or API key>");
  }

  /** 403 unless the policy allows {@code permission} (on {@code pipeline}, when not null). */
  public void authorize(Context c, Principal p, Permission permission, String pipeline) {
    AccessDecision d = policy.decide(p, permission, pipeline);
    if (!d.allowed()) {
      throw forbidden(permission, d);
    }
  }

  /**
   * Checks a further permission for the principal the route authenticated, e.g. for a pipeline
   * only the body names.
   */
  public static void require(Context c, Permission permission, String pipeline) {
    Principal p = c.attribute(PRINCIPAL);
    AccessPolicy policy = c.attribute(POLICY);
    if (p == null || policy == null) {
      throw new IllegalStateException("require() on a route that did not authenticate");
    }
    AccessDecision d = policy.decide(p, permission, pipeline);
    if (!d.allowed()) {
      throw forbidden(permission, d);
    }
  }

  private static ApiProblem forbidden(Permission permission, AccessDecision d) {
    return new ApiProblem(403, "forbidden", "Forbidden", d.explanation(),
        n -> n.put("permission", permission.id()), Map.of());
  }

  private static ApiProblem unauthorized(String detail) {
    return new ApiProblem(401, "unauthorized", "Unauthorized", detail, null,
        Map.of("WWW-Authenticate", "Bearer realm=\"sluice\""));
  }
}
