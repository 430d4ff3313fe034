package dev.sluice.server.internal;

import io.javalin.http.Context;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Browser sessions: the access token travels in an {@code HttpOnly} cookie, and requests that
 * change state and are authenticated by that cookie must carry the session's CSRF token in {@code
 * X-CSRF-Token} (double submit: the token is also in a cookie the page's script can read, which
 * another site cannot).
 */
public final class Sessions {
  public static final String SESSION_COOKIE = "sluice_session";
  public static final String CSRF_COOKIE = "sluice_csrf";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Sessions() {}

  static String newCsrfToken() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String cookie(String name, String value, long maxAgeSeconds, boolean httpOnly, boolean secure) {
    return name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; SameSite=Strict"
        + (httpOnly ? "; HttpOnly" : "") + (secure ? "; Secure" : "");
  }

  /** The session cookie's token, when the request has no Authorization header but a session. */
  public static String sessionToken(Context c) {
    if (c.header("Authorization") != null) {
      return null;
    }
    String v = c.cookie(SESSION_COOKIE);
    return v == null || v.isEmpty() ? null : v;
  }

  /** 403 when a state-changing request authenticated by the session cookie lacks the CSRF token. */
  public static void checkCsrf(Context c) {
    String method = c.method().name();
    if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
      return;
    }
    String cookie = c.cookie(CSRF_COOKIE);
    String header = c.header(CSRF_HEADER);
    if (cookie == null || header == null || !MessageDigest.isEqual(cookie.getBytes(), header.getBytes())) {
      throw new ApiProblem(403, "csrf", "CSRF token missing or wrong",
          "a request authenticated by the session cookie that changes something must send the session's CSRF"
              + " token in " + CSRF_HEADER);
    }
  }
}
