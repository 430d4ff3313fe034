package dev.sluice.auth.keycloak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import java.util.List;
import java.util.Map;
import org.slf4j.event.Level;

/** Shared checks: rejected with a reason, logged at INFO, and the token nowhere in reason or log. */
final class TokenAssertions {
  private TokenAssertions() {}

  static AuthRequest bearer(String token) {
    return new AuthRequest("GET", "/api/pipelines", Map.of("Authorization", List.of("Bearer " + token)));
  }

  static AuthResult assertRejected(OidcAuthenticator auth, CapturingLogger log, String token, String reasonFragment) {
    log.clear();
    AuthResult r = auth.authenticate(bearer(token));
    assertThat(r.status()).as("status for a token that must be refused (%s)", reasonFragment)
        .isEqualTo(AuthResult.Status.REJECTED);
    assertThat(r.principal()).isEmpty();
    String reason = r.reason().orElseThrow();
    assertThat(reason).containsIgnoringCase(reasonFragment);
    assertThat(log.lines()).as("log lines").anySatisfy(l -> {
      assertThat(l.level()).isEqualTo(Level.INFO);
      assertThat(l.message()).isEqualTo("bearer token rejected: " + reason);
    });
    assertNoLeak(token, reason);
    assertNoLeak(token, log.all());
    return r;
  }

  /** Neither the token nor any sizeable piece of it appears in {@code text}. */
  static void assertNoLeak(String token, String text) {
    assertThat(text).doesNotContain(token);
    for (String part : token.split("\\.")) {
      if (part.length() >= 16) {
        assertThat(text).as("a token part in logged text").doesNotContain(part.substring(0, 16));
        assertThat(text).doesNotContain(part.substring(part.length() - 16));
      }
    }
  }
}
