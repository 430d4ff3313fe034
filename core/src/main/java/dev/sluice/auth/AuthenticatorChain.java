package dev.sluice.auth;

import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several authentication methods at once: asks its authenticators in order and returns the first
 * answer that is not {@link AuthResult.Status#NOT_APPLICABLE}. An authenticator that recognises a
 * credential decides, also when it rejects it: a malformed or wrong credential is never passed on
 * to a weaker method.
 *
 * <p>When none recognises anything, the answer is {@link AuthResult#notApplicable()} if the request
 * carried no credential ({@code Authorization} or {@code X-API-Key} header), and a rejection if it
 * did: a credential nobody recognises is an error (401), not an anonymous request. An
 * authenticator that throws is a rejection too, logged without the request's headers.
 *
 * <p>Immutable and thread-safe if its authenticators are.
 */
public final class AuthenticatorChain implements Authenticator {
  private static final Logger LOG = LoggerFactory.getLogger(AuthenticatorChain.class);

  private final List<Authenticator> authenticators;

  /** @param authenticators in the order to ask them, never null */
  public AuthenticatorChain(List<? extends Authenticator> authenticators) {
    this.authenticators = List.copyOf(authenticators);
  }

  /**
   * A chain of these authenticators.
   *
   * @param authenticators in the order to ask them
   * @return the chain
   */
  public static AuthenticatorChain of(Authenticator... authenticators) {
    return new AuthenticatorChain(List.of(authenticators));
  }

  /**
   * The authenticators, in order.
   *
   * @return an immutable list
   */
  public List<Authenticator> authenticators() {
    return authenticators;
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    Objects.requireNonNull(request, "request");
    for (Authenticator a : authenticators) {
      AuthResult r;
      try {
        r = Objects.requireNonNull(a.authenticate(request), "result");
      } catch (RuntimeException e) {
        LOG.warn("authentication rejected: authenticator {} failed ({}) on {} {}", a.getClass().getName(),
            e.getClass().getSimpleName(), request.method(), safePath(request.path()));
        return AuthResult.rejected("authentication failed");
      }
      if (r.status() != AuthResult.Status.NOT_APPLICABLE) {
        return r;
      }
    }
    if (request.header("Authorization").isPresent() || request.header("X-API-Key").isPresent()) {
      LOG.info("authentication rejected: a credential no authenticator recognises on {} {}", request.method(),
          safePath(request.path()));
      return AuthResult.rejected("credential not recognised");
    }
    return AuthResult.notApplicable();
  }

  /** The path without its query (which might carry a token) and without control characters. */
  static String safePath(String path) {
    if (path == null) {
      return "";
    }
    int q = path.indexOf('?');
    String p = q < 0 ? path : path.substring(0, q);
    p = p.replaceAll("[^\\x21-\\x7e]", "_");
    return p.length() > 200 ? p.substring(0, 200) + "..." : p;
  }

  @Override
  public String toString() {
    return "AuthenticatorChain" + authenticators;
  }
}
