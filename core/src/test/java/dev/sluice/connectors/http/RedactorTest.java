package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {

  @Test
  void masksValuesInEveryFormParameterNamesAndUserInfo() {
    Redactor r = new Redactor().addSecret("p@ss word").addParameters(List.of("sig_v2"));
    assertThat(r.mask("a p@ss word b")).isEqualTo("a *** b");
    assertThat(r.mask("q=p%40ss+word&x=p%40ss%20word")).isEqualTo("q=***&x=***");
    assertThat(r.mask(Base64.getEncoder().encodeToString("p@ss word".getBytes()))).isEqualTo("***");
    assertThat(r.mask("https://h/x?a=1&Sig_V2=abc&api_key=zzz#f")).isEqualTo("https://h/x?a=1&Sig_V2=***&api_key=***#f");
    assertThat(r.mask("https://user:pw@h/x")).isEqualTo("https://***@h/x");
  }

  @Test
  void shortValuesAreLeftToParameterMasking() {
    Redactor r = new Redactor().addSecret("ab");
    assertThat(r.mask("tab ab")).isEqualTo("tab ab");
  }

  @Test
  void onlyTheLatestTemporarySecretsAreKept() {
    Redactor r = new Redactor();
    for (int i = 0; i < Redactor.MAX_DYNAMIC + 5; i++) {
      r.addTemporarySecret("access-token-" + i + "-xyz");
    }
    assertThat(r.mask("access-token-0-xyz")).isEqualTo("access-token-0-xyz");
    assertThat(r.mask("access-token-" + (Redactor.MAX_DYNAMIC + 4) + "-xyz")).isEqualTo("***");
  }
}
