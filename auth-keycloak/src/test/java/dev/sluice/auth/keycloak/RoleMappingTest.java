package dev.sluice.auth.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Role mapping from Keycloak-shaped claims, and the PKCE challenge against RFC 7636's example. */
class RoleMappingTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void realmClientAndGroupRolesMapAndUnknownOnesAreIgnoredWithADebugLine() throws Exception {
    RoleMapping m = RoleMapping.builder()
        .realmRole("sluice-admin", "admin")
        .clientRole("sluice", "operator", "operator")
        .group("/ops/night", "operator", "viewer")
        .group("readers", "viewer")
        .build();
    CapturingLogger log = new CapturingLogger("roles");
    var claims = JSON.readTree("""
        {"realm_access": {"roles": ["offline_access", "sluice-admin"]},
         "resource_access": {"sluice": {"roles": ["operator", "viewer"]}, "account": {"roles": ["manage-account"]},
                             "other": {"roles": ["operator"]}},
         "groups": ["/ops/night", "/readers", "/unmapped", 42]}
        """);
    assertThat(m.rolesFor(claims, log)).containsExactly("admin", "operator", "viewer");
    assertThat(log.lines()).singleElement().satisfies(l -> assertThat(l.message())
        .contains("realm role offline_access", "client role sluice/viewer", "client role account/manage-account",
            "client role other/operator", "group /unmapped"));

    assertThat(m.rolesFor(JSON.readTree("{\"resource_access\": {\"other\": {\"roles\": [\"operator\"]}}}"), log))
        .as("a client role of another client does not count").isEmpty();
    assertThat(m.rolesFor(JSON.readTree("{\"realm_access\": \"sluice-admin\", \"groups\": {\"a\": 1}}"), log))
        .as("malformed claims grant nothing").isEmpty();
    assertThat(RoleMapping.none().rolesFor(claims, log)).isEmpty();
  }

  @Test
  void builderRefusesBadNames() {
    assertThatThrownBy(() -> RoleMapping.builder().realmRole("x", "bad role")).hasMessageContaining("\"bad role\"");
    assertThatThrownBy(() -> RoleMapping.builder().realmRole("x")).hasMessageContaining("at least one");
    assertThatThrownBy(() -> RoleMapping.builder().group(" ", "viewer")).hasMessageContaining("group");
  }

  @Test
  void pkceChallengeMatchesRfc7636AppendixB() {
    assertThat(AuthorizationCodeFlow.challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"))
        .isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  }
}
