package dev.sluice.connectors.http;

import dev.sluice.spi.RequestLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * How the http connector authenticates its requests: adds headers or query parameters to each
 * attempt. Implementations register every secret they use with the source's {@link Redactor}.
 *
 * <p>Thread-safe.
 */
interface RequestAuth {

  /** Adds credentials to {@code request}. */
  void apply(OutgoingRequest request, Template.Vars vars, RequestLog log) throws IOException, InterruptedException;

  /**
   * After a 401 answer to {@code request}: drops the credentials it carried if new ones can be
   * obtained. True when a retry with fresh credentials makes sense (once per request).
   */
  default boolean renewAfterUnauthorized(OutgoingRequest request) {
    return false;
  }

  RequestAuth NONE = (request, vars, log) -> {};

  /** {@code Authorization: Basic base64(user:password)}. */
  static RequestAuth basic(Template username, Template password, Redactor redactor) {
    return (request, vars, log) -> {
      String user = username.render(vars, s -> s);
      String pass = password.render(vars, s -> s);
      redactor.addSecret(pass);
      String pair = Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
      redactor.addSecret(pair);
      request.setHeader("Authorization", "Basic " + pair);
    };
  }

  /** {@code Authorization: Bearer <token>}. */
  static RequestAuth bearer(Template token, Redactor redactor) {
    return (request, vars, log) -> {
      String t = token.render(vars, s -> s);
      redactor.addSecret(t);
      request.setHeader("Authorization", "Bearer " + t);
    };
  }

  /** An API key in a header or a query parameter. */
  static RequestAuth apiKey(String name, Template value, boolean inQuery, Redactor redactor) {
    if (inQuery) {
      redactor.addParameters(List.of(name));
    }
    return (request, vars, log) -> {
      String v = value.render(vars, s -> s);
      redactor.addSecret(v);
      if (inQuery) {
        request.addQueryParameter(name, v);
      } else {
        request.setHeader(name, v);
      }
    };
  }

  /** OAuth 2.0 access tokens from {@link OAuthTokens}, renewed once after a 401. */
  static RequestAuth oauth(OAuthTokens tokens) {
    return new RequestAuth() {
      @Override
      public void apply(OutgoingRequest request, Template.Vars vars, RequestLog log)
          throws IOException, InterruptedException {
        request.setHeader("Authorization", "Bearer " + tokens.accessToken(log));
      }

      @Override
      public boolean renewAfterUnauthorized(OutgoingRequest request) {
        String header = request.header("Authorization");
        if (header != null && header.startsWith("Bearer ")) {
          tokens.invalidate(header.substring("Bearer ".length()));
        }
        return true;
      }
    };
  }
}
