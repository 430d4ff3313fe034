package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.AuthRequest;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthenticatorChainTest {
  private final List<String> asked = new ArrayList<>();

  private Authenticator answering(String name, AuthResult result) {
    return request -> {
      asked.add(name);
      return result;
    };
  }

  private static AuthRequest withHeader(String name, String value) {
    return new AuthRequest("GET", "/api/v1/runs?token=abc", Map.of(name, List.of(value)));
  }

  @Test
  void theFirstAuthenticatorThatRecognisesTheCredentialDecides() {
    AuthenticatorChain chain = AuthenticatorChain.of(
        answering("a", AuthResult.notApplicable()),
        answering("b", AuthResult.authenticated(new Principal("bob", Set.of("viewer")))),
        answering("c", AuthResult.authenticated(new Principal("carol", Set.of("admin")))));
    AuthResult r = chain.authenticate(withHeader("Authorization", "Bearer x"));
    assertThat(r.principal().orElseThrow().name()).isEqualTo("bob");
    assertThat(asked).containsExactly("a", "b");
  }

  @Test
  void aRejectionIsFinalNeverAFallThroughToAWeakerMethod() {
    AuthenticatorChain chain = AuthenticatorChain.of(
        answering("strict", AuthResult.rejected("malformed token")),
        answering("lenient", AuthResult.authenticated(new Principal("anyone", Set.of("admin")))));
    AuthResult r = chain.authenticate(withHeader("Authorization", "Bearer garbage"));
    assertThat(r.status()).isEqualTo(AuthResult.Status.REJECTED);
    assertThat(r.reason()).contains("malformed token");
    assertThat(asked).containsExactly("strict");
  }

  @Test
  void aCredentialNobodyRecognisesIsRejectedAndNoCredentialIsNotApplicable() {
    AuthenticatorChain chain = AuthenticatorChain.of(answering("a", AuthResult.notApplicable()));
    AuthFixture.Captured<AuthResult> c = AuthFixture.capturingLog(
        () -> chain.authenticate(withHeader("X-API-Key", "something-secret-xyz")));
    assertThat(c.value().status()).isEqualTo(AuthResult.Status.REJECTED);
    assertThat(c.log()).contains("authentication rejected").contains("/api/v1/runs")
        .doesNotContain("something-secret-xyz").doesNotContain("token=abc");
    assertThat(chain.authenticate(new AuthRequest("GET", "/", Map.of())).status())
        .isEqualTo(AuthResult.Status.NOT_APPLICABLE);
  }

  @Test
  void anAuthenticatorThatThrowsRejectsTheRequestWithoutLeakingIt() {
    AuthenticatorChain chain = AuthenticatorChain.of(
        request -> {
          throw new IllegalStateException("boom with " + request.header("Authorization").orElse(""));
        },
        answering("after", AuthResult.authenticated(new Principal("x", Set.of()))));
    AuthFixture.Captured<AuthResult> c = AuthFixture.capturingLog(
        () -> chain.authenticate(withHeader("Authorization", "Bearer secret-token-value")));
    assertThat(c.value().status()).isEqualTo(AuthResult.Status.REJECTED);
    assertThat(c.log()).contains("IllegalStateException").doesNotContain("secret-token-value");
    assertThat(asked).isEmpty();
  }
}
