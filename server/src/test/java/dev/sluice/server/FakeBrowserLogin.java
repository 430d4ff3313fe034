package dev.sluice.server;

import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.BrowserLogin;
import dev.sluice.auth.Principal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A browser login for the server's tests: its "provider" is a map of one-time codes to principals
 * that the test fills, the way a real provider hands the browser a code after the user signs in.
 * The real thing (Keycloak) is exercised in auth-keycloak's KeycloakBrowserLoginTest.
 */
final class FakeBrowserLogin implements BrowserLogin {
  static final String PROVIDER = "http://127.0.0.1:9/authorize";
  final Map<String, Principal> codes = new ConcurrentHashMap<>();
  final List<URI> redirectUris = new CopyOnWriteArrayList<>();
  final List<Map<String, String>> completed = new CopyOnWriteArrayList<>();
  volatile RuntimeException beginFailure;

  /** What the fake keeps per login: the values a real flow would keep (redirect URI, verifier). */
  record Pending(URI redirectUri, String state) {}

  @Override
  public String id() {
    return "test";
  }

  @Override
  public String label() {
    return "Test IdP";
  }

  @Override
  public Started begin(URI redirectUri) {
    if (beginFailure != null) {
      throw beginFailure;
    }
    redirectUris.add(redirectUri);
    String state = UUID.randomUUID().toString();
    URI location = URI.create(PROVIDER + "?state=" + state + "&redirect_uri="
        + URLEncoder.encode(redirectUri.toString(), StandardCharsets.UTF_8));
    return new Started(location, state, new Pending(redirectUri, state));
  }

  @Override
  public Principal complete(Started started, Map<String, String> callbackQuery) {
    completed.add(callbackQuery);
    if (callbackQuery.get("error") != null) {
      throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS,
          "login failed at the test provider: " + callbackQuery.get("error"), null);
    }
    Pending p = (Pending) started.pending();
    if (!p.state().equals(callbackQuery.get("state"))) {
      throw new AuthenticationException(AuthenticationException.Reason.INVALID_TOKEN, "state does not match", null);
    }
    Principal who = callbackQuery.get("code") == null ? null : codes.remove(callbackQuery.get("code"));
    if (who == null) {
      throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS, "unknown code", null);
    }
    return who;
  }
}
