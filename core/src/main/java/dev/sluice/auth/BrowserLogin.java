package dev.sluice.auth;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A login that happens in the user's browser at another site, e.g. "Sign in with Keycloak" (the
 * OAuth 2.0 authorization code flow): the server sends the browser to the provider, the provider
 * sends it back to the server's callback with a one-time answer, and the login turns that answer
 * into a {@link Principal}. The REST server offers each configured login on the dashboard's
 * sign-in page and keeps the dashboard session itself; the login only proves who the user is.
 *
 * <p>The server's part of the contract:
 *
 * <ol>
 *   <li>{@link #begin(URI)} with the callback URL the provider must send the browser back to (built
 *       from the server's configured public URL, never from request headers);
 *   <li>it keeps the returned {@link Started} server-side, keyed by {@link Started#state()}, for a
 *       limited time and for one use only, and redirects the browser to {@link
 *       Started#location()};
 *   <li>on the callback, it looks the login up by the {@code state} query parameter and calls
 *       {@link #complete(Started, Map)} with that same {@link Started} and the callback's query
 *       parameters.
 * </ol>
 *
 * <p>An {@link dev.sluice.spi.Authenticator} plugin offers a browser login by also implementing this
 * interface (Keycloak's does when its {@code dashboardLogin} option is set); {@code sluice serve}
 * puts every such authenticator on the dashboard. Hosts embedding the server pass logins to its
 * options directly.
 *
 * <p>Implementations must be thread-safe (one instance serves every browser), must not keep
 * per-login state themselves (the server holds {@link Started}), and must never log or put in an
 * exception message a code, token, PKCE verifier or client secret.
 */
public interface BrowserLogin {
  /** What {@link #id()} may look like: it becomes part of the server's URLs. */
  Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  /**
   * The login's URL-safe name, unique among the server's browser logins, e.g. {@code keycloak}.
   * The server serves it at {@code /api/v1/session/sso/{id}}.
   *
   * @return matches {@link #ID}: 1 to 32 lower-case letters, digits or '-', not starting with '-';
   *     never null
   */
  String id();

  /**
   * What the sign-in button says after "Sign in with", e.g. {@code Keycloak}.
   *
   * @return 1 to 64 characters for people to read, never null
   */
  String label();

  /**
   * Starts a login for one browser. Does not keep anything: the caller keeps the result.
   *
   * @param redirectUri the server's callback URL the provider sends the browser back to; must be
   *     registered at the provider; never null
   * @return where to send the browser and what to hand back to {@link #complete}, never null
   * @throws AuthenticationException with a message safe to show when the login cannot be started
   *     (e.g. the provider can't be reached)
   */
  Started begin(URI redirectUri);

  /**
   * Finishes a login from the callback the browser brought back.
   *
   * @param started what {@link #begin} returned for this login, looked up by the callback's {@code
   *     state}; never null
   * @param callbackQuery the callback's query parameters (each name once), never null; may hold an
   *     {@code error} sent by the provider instead of an answer
   * @return who logged in, with Sluice roles, never null
   * @throws AuthenticationException with a message safe to show (no codes, tokens or secrets)
   *     when the provider reported an error, the answer does not belong to this login, the login
   *     took too long, or the provider's answer does not validate
   */
  Principal complete(Started started, Map<String, String> callbackQuery);

  /**
   * A started login. Treat it as a secret: {@code pending} may hold a PKCE verifier or a nonce.
   * {@link #toString()} shows neither the state nor the pending value.
   *
   * @param location where to redirect the browser (the provider's login page), never null
   * @param state the value the provider returns in the callback's {@code state} parameter, which
   *     the server looks the login up by; at least 16 characters of URL-safe randomness, never null
   * @param pending the login's own data, handed back unchanged to {@link #complete}; the server
   *     never inspects, logs or serialises it; never null
   */
  record Started(URI location, String state, Object pending) {
    /**
     * Checks the components.
     *
     * @param location never null
     * @param state never null, 16 to 512 characters
     * @param pending never null
     * @throws NullPointerException when a component is null
     * @throws IllegalArgumentException when {@code state} is too short or too long
     */
    public Started {
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(pending, "pending");
      if (state.length() < 16 || state.length() > 512) {
        throw new IllegalArgumentException("state must have 16 to 512 characters, got " + state.length());
      }
    }

    @Override
    public String toString() {
      return "Started{location host=" + location.getHost() + ", state and pending hidden}";
    }
  }
}
