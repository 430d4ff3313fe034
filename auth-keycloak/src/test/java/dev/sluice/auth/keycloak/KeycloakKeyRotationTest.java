package dev.sluice.auth.keycloak;

import static dev.sluice.auth.keycloak.TokenAssertions.assertRejected;
import static dev.sluice.auth.keycloak.TokenAssertions.bearer;
import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spi.AuthResult;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rotates the signing key of the real Keycloak realm through the admin REST API while ONE
 * authenticator keeps running: a new {@code rsa-generated} key provider with a higher priority is
 * added (new tokens are signed with it and accepted after one JWKS refresh), then the old provider
 * is deleted (tokens it signed are rejected once the cached key set is refreshed).
 */
@ExtendWith(KeycloakServer.class)
class KeycloakKeyRotationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void rotatedRealmKeyIsPickedUpAndTheRemovedKeyRejectedWithoutRecreatingTheAuthenticator() throws Exception {
    KeycloakServer kc = KeycloakServer.get();
    MutableClock clock = MutableClock.system();
    CapturingLogger log = new CapturingLogger("rotation");
    OidcAuthenticator auth = OidcAuthenticator.create(OidcSettings.builder(kc.issuer("sluice")).audience("sluice")
        .roleMapping(KeycloakIntegrationTest.mapping())
        .jwksRefreshInterval(Duration.ofSeconds(30)).jwksCacheTime(Duration.ofSeconds(60)).build(), JSON, clock, log);

    String oldToken = kc.passwordToken("sluice", "alice");
    String oldKid = JWT.decode(oldToken).getKeyId();
    assertThat(auth.authenticate(bearer(oldToken)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    String oldProvider = providerOf(kc, oldKid);

    // 1. Add a new RSA key provider with a higher priority: Keycloak signs with it from now on.
    String component = "{\"name\":\"rotated-rsa\",\"providerId\":\"rsa-generated\","
        + "\"providerType\":\"org.keycloak.keys.KeyProvider\",\"parentId\":\"sluice\",\"config\":{"
        + "\"priority\":[\"500\"],\"enabled\":[\"true\"],\"active\":[\"true\"],\"algorithm\":[\"RS256\"],"
        + "\"keySize\":[\"2048\"]}}";
    assertThat(kc.admin("POST", "sluice/components", component).statusCode()).isEqualTo(201);
    String newToken = kc.passwordToken("sluice", "alice");
    String newKid = JWT.decode(newToken).getKeyId();
    assertThat(newKid).isNotEqualTo(oldKid);

    long before = auth.jwksDownloads();
    clock.advance(Duration.ofSeconds(31)); // past the unknown-kid refresh interval
    AuthResult fresh = auth.authenticate(bearer(newToken));
    assertThat(fresh.status()).as("token of the new key: %s", fresh.reason().orElse("")).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(fresh.principal().orElseThrow().roles()).containsExactly("admin");
    assertThat(auth.jwksDownloads()).isEqualTo(before + 1);
    assertThat(auth.authenticate(bearer(oldToken)).status()).as("old key still published").isEqualTo(AuthResult.Status.AUTHENTICATED);

    // 2. Delete the old provider: its key leaves the realm's JWKS.
    assertThat(kc.admin("DELETE", "sluice/components/" + oldProvider, null).statusCode()).isEqualTo(204);
    assertThat(publishedKids(kc)).contains(newKid).doesNotContain(oldKid);

    clock.advance(Duration.ofSeconds(61)); // past jwksCacheTime: the next call downloads the key set again
    assertRejected(auth, log, oldToken, "unknown key id");
    assertThat(auth.authenticate(bearer(newToken)).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
    assertThat(auth.authenticate(bearer(kc.passwordToken("sluice", "bob"))).status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
  }

  private static String providerOf(KeycloakServer kc, String kid) {
    JsonNode keys = kc.adminJson("GET", "sluice/keys", null).get("keys");
    for (JsonNode k : keys) {
      if (kid.equals(k.path("kid").asText())) {
        return k.get("providerId").asText();
      }
    }
    throw new AssertionError("no key provider for kid " + kid + " in " + keys);
  }

  private static List<String> publishedKids(KeycloakServer kc) throws Exception {
    HttpResponse<String> r = kc.http.send(HttpRequest.newBuilder(URI.create(kc.issuer("sluice")
        + "/protocol/openid-connect/certs")).build(), HttpResponse.BodyHandlers.ofString());
    List<String> kids = new ArrayList<>();
    JSON.readTree(r.body()).get("keys").forEach(k -> kids.add(k.path("kid").asText()));
    return kids;
  }
}
