package dev.sluice.server;

import dev.sluice.auth.Principal;
import java.util.Optional;

/**
 * Checks a username and password for the dashboard's login ({@code POST /api/v1/session}). The
 * host plugs its user store in here, e.g. core's local users.
 *
 * <p>Implementations must be thread-safe, must not log or keep the password, and should take
 * about the same time whether or not the user exists. The server wipes the password array after
 * the call and rate-limits failures per client address itself.
 */
@FunctionalInterface
public interface PasswordLogin {
  /**
   * The principal when {@code username} and {@code password} match, else empty (for an unknown
   * user as for a wrong password: the caller must not learn which).
   *
   * @param username as typed, never null
   * @param password as typed, never null; valid only during the call
   * @param clientAddress the caller's address as the server sees it, never null (for audit)
   * @return the principal, never null
   */
  Optional<Principal> login(String username, char[] password, String clientAddress);

  /**
   * Core's local users as the dashboard's login: the password is checked by {@link
   * dev.sluice.auth.LocalAuth#login} (its hashing, lockout and audit log apply), and the tokens it
   * issues are revoked at once: the dashboard keeps its own server-side session. A locked-out user
   * gets no session, like a wrong password.
   *
   * @param local the local users, never null
   * @return a login that is safe for concurrent use
   */
  static PasswordLogin localUsers(dev.sluice.auth.LocalAuth local) {
    java.util.Objects.requireNonNull(local, "local");
    return (username, password, clientAddress) -> {
      try {
        dev.sluice.auth.TokenPair pair = local.login(username, password, clientAddress);
        Optional<Principal> who = local.verifyAccessToken(pair.accessToken()).principal();
        local.logout(pair.refreshToken(), clientAddress);
        return who;
      } catch (dev.sluice.auth.AuthenticationException e) {
        return Optional.empty();
      }
    };
  }
}
