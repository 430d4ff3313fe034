package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.Connector;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OAuth refresh tokens (developers.hubspot.com, "OAuth tokens": {@code POST /oauth/v1/token} with
 * {@code grant_type=refresh_token}, {@code client_id}, {@code client_secret}, {@code refresh_token} as
 * form fields), through core's OAuthTokens: a rotated refresh token is in the secret store before the
 * first API call, a restarted process continues with it, a 401 renews once.
 */
class OAuthTest {
  static final long T0 = Instant.parse("2024-05-01T08:00:00Z").toEpochMilli();

  HubSpotStub stub;
  Harness h;

  @BeforeEach
  void start() throws Exception {
    stub = new HubSpotStub().object("tickets", Map.of("subject", "string"));
    for (int i = 1; i <= 3; i++) {
      stub.put("tickets", i, T0 + i, Map.of("subject", "Ticket " + i));
    }
    stub.currentRefreshToken = "refresh-token-1-secretvalue";
    h = new Harness(stub);
    h.secrets.values.put("hubspot_refresh", "refresh-token-1-secretvalue");
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  Connector tickets(Harness harness) {
    return harness.connector(Map.of("object", "tickets", "clientId", "client-1", "clientSecret", stub.clientSecret,
        "refreshTokenSecret", "hubspot_refresh", "tokenUrl", stub.baseUrl() + "/oauth/v1/token",
        "searchRequestsPerSecond", 0));
  }

  @Test
  void aRotatedRefreshTokenIsStoredBeforeTheFirstApiCallAndSurvivesARestart() throws Exception {
    List<String> storedAtFirstCall = new ArrayList<>();
    stub.onApiRequest = s -> {
      if (storedAtFirstCall.isEmpty()) {
        storedAtFirstCall.add(h.secrets.values.get("hubspot_refresh"));
      }
    };
    Harness.Run first;
    try (Connector c = tickets(h)) {
      first = h.read(c, null);
    }
    assertThat(first.keys()).containsExactly("1", "2", "3");
    assertThat(storedAtFirstCall).containsExactly("refresh-token-2-secretvalue");
    assertThat(h.secrets.values).containsEntry("hubspot_refresh", "refresh-token-2-secretvalue");
    HubSpotStub.Seen tokenCall = stub.seen.stream().filter(s -> s.path().equals("/oauth/v1/token")).findFirst().orElseThrow();
    assertThat(HubSpotStub.params(tokenCall.form())).containsEntry("grant_type", "refresh_token")
        .containsEntry("client_id", "client-1").containsEntry("refresh_token", "refresh-token-1-secretvalue");
    assertThat(stub.seen).filteredOn(s -> !s.path().startsWith("/oauth"))
        .allSatisfy(s -> assertThat(s.authorization()).isEqualTo("Bearer access-token-1-secretvalue"));

    // A new process: a fresh connector over the same secret store. The old refresh token is dead now.
    Harness restarted = new Harness(stub);
    restarted.secrets.values.putAll(h.secrets.values);
    stub.put("tickets", 4, T0 + 10, Map.of("subject", "Ticket 4"));
    try (Connector c = tickets(restarted)) {
      Harness.Run second = restarted.read(c, first.lastCheckpoint());
      assertThat(second.keys()).containsExactly("4");
    }
    assertThat(restarted.secrets.values).containsEntry("hubspot_refresh", "refresh-token-3-secretvalue");
    assertThat(stub.tokensIssued.get()).isEqualTo(2);
    String shown = first.everythingShown() + "\n" + String.join("\n", h.lastContext.logLines);
    for (String secret : List.of("refresh-token-1-secretvalue", "refresh-token-2-secretvalue",
        "access-token-1-secretvalue", stub.clientSecret)) {
      assertThat(shown).doesNotContain(secret);
    }
  }

  @Test
  void anExpiredAccessTokenIsRenewedOnceOn401() throws Exception {
    try (Connector c = tickets(h)) {
      h.read(c, null);
      // HubSpot: 401 EXPIRED_AUTHENTICATION "The OAuth token used to make this call expired 2 minute(s) ago."
      stub.acceptedTokens.clear();
      stub.fault(HubSpotStub.any(), 401, Map.of(), HubSpotStub.error(
          "The OAuth token used to make this call expired 2 minute(s) ago.", "EXPIRED_AUTHENTICATION"));
      Harness.Run again = h.read(c, null);
      assertThat(again.keys()).containsExactly("1", "2", "3");
      assertThat(stub.tokensIssued.get()).isEqualTo(2);
      assertThat(again.requests).anySatisfy(r -> assertThat(r).contains("401, renewing the access token"));
    }
  }

  @Test
  void aRevokedRefreshTokenFailsNamingTheSecretNotItsValue() throws Exception {
    stub.currentRefreshToken = "some-other-token";
    try (Connector c = tickets(h)) {
      Throwable[] failure = new Throwable[1];
      Harness.Run run = h.readFailing(c, null, failure);
      assertThat(failure[0]).hasMessageContaining("hubspot_refresh").hasMessageContaining("invalid_grant")
          .hasMessageContaining("sluice secret set hubspot_refresh");
      assertThat(failure[0].getMessage()).doesNotContain("refresh-token-1-secretvalue").doesNotContain(stub.clientSecret);
      assertThat(run.everythingShown()).doesNotContain("refresh-token-1-secretvalue").doesNotContain(stub.clientSecret);
    }
  }
}
