package dev.sluice.server.internal;

import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;

/**
 * Recognises the dashboard's {@code sluice_session} cookie. Applies only to requests without an
 * {@code Authorization} header (bearer tokens and API keys are left to the rest of the chain) and
 * with a live session; everything else is not applicable, so the chain goes on (and ends in 401).
 * The CSRF token of state-changing requests is checked before authentication, by {@link
 * DashboardSessions#csrfGuard}. Thread-safe.
 */
public final class SessionAuthenticator implements Authenticator {
  private final DashboardSessions sessions;

  SessionAuthenticator(DashboardSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public AuthResult authenticate(AuthRequest request) {
    if (request.header("Authorization").isPresent()) {
      return AuthResult.notApplicable();
    }
    return request.header("Cookie")
        .flatMap(DashboardSessions::sessionIdFromCookie)
        .flatMap(sessions::touch)
        .map(s -> AuthResult.authenticated(s.principal()))
        .orElse(AuthResult.notApplicable());
  }
}
