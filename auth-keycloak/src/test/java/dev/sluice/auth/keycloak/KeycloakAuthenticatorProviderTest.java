package dev.sluice.auth.keycloak;

import static dev.sluice.auth.keycloak.TokenAssertions.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.Authenticator;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** The {@code keycloak}/{@code oidc} providers: discovery, schema, option parsing and errors, create. */
class KeycloakAuthenticatorProviderTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String OWNER = "authenticator 'sso' (type keycloak)";

  private static PluginConfig config(String yaml) throws Exception {
    return new PluginConfig(OWNER, (ObjectNode) YAML.readTree(yaml));
  }

  private static String refused(String yaml) {
    Throwable t = catchThrowable(() -> KeycloakAuthenticatorProvider.settings(config(yaml)));
    assertThat(t).isInstanceOf(PluginConfigException.class);
    assertThat(t.getMessage()).startsWith(OWNER);
    return t.getMessage();
  }

  @Test
  void bothTypesAreDiscovered() {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    assertThat(registry.of(PluginKind.AUTHENTICATOR)).extracting(PluginInfo::type).contains("keycloak", "oidc");
    assertThat(new KeycloakAuthenticatorProvider().configSchema().at("/required").toString())
        .isEqualTo("[\"issuer\",\"audience\"]");
    assertThat(new OidcAuthenticatorProvider().configSchema().at("/properties/introspection/properties/clientSecret/writeOnly")
        .asBoolean()).isTrue();
  }

  @Test
  void everyOptionIsRead() throws Exception {
    OidcSettings s = KeycloakAuthenticatorProvider.settings(config("""
        issuer: https://sso.example.com/realms/acme/
        audience: [sluice, sluice-api]
        clientId: sluice-dashboard
        authorizedParties: [sluice-dashboard]
        allowedAlgorithms: [RS256, ES256]
        clockSkew: 10s
        maxTokenBytes: 8192
        jwksRefreshInterval: 1m
        jwksCacheTime: 1h
        httpTimeout: 3s
        usernameClaim: email
        passOtherIssuers: true
        roleMapping:
          realmRoles: { sluice-admin: admin, sluice-ops: [operator, viewer] }
          clientRoles: { sluice: { viewer: viewer } }
          groups: { /data-team: viewer }
        introspection: { clientId: sluice-backend, clientSecret: s3cr3t-value, forJwts: true }
        """));
    assertThat(s.issuer()).isEqualTo("https://sso.example.com/realms/acme");
    assertThat(s.discoveryUri().toString()).isEqualTo("https://sso.example.com/realms/acme/.well-known/openid-configuration");
    assertThat(s.audiences()).containsExactlyInAnyOrder("sluice", "sluice-api");
    assertThat(s.clientId()).contains("sluice-dashboard");
    assertThat(s.authorizedParties()).containsExactly("sluice-dashboard");
    assertThat(s.allowedAlgorithms()).containsExactlyInAnyOrder("RS256", "ES256");
    assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.maxTokenBytes()).isEqualTo(8192);
    assertThat(s.jwksRefreshInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.jwksCacheTime()).isEqualTo(Duration.ofHours(1));
    assertThat(s.httpTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.usernameClaim()).isEqualTo("email");
    assertThat(s.passOtherIssuers()).isTrue();
    assertThat(s.roleMapping().realmRoles()).containsEntry("sluice-admin", Set.of("admin"))
        .containsEntry("sluice-ops", Set.of("operator", "viewer"));
    assertThat(s.roleMapping().clientRoles()).containsEntry("sluice", java.util.Map.of("viewer", Set.of("viewer")));
    assertThat(s.roleMapping().groups()).containsEntry("data-team", Set.of("viewer"));
    assertThat(s.introspection().orElseThrow().forJwts()).isTrue();
    assertThat(s.toString()).doesNotContain("s3cr3t-value");
    assertThat(s.introspection().orElseThrow().toString()).doesNotContain("s3cr3t-value");
  }

  @Test
  void badOptionsAreRefusedWithClearMessages() {
    assertThat(refused("audience: sluice")).contains("option 'issuer' is required");
    assertThat(refused("issuer: ftp://sso.example.com\naudience: sluice")).contains("option 'issuer'")
        .contains("http(s) URL");
    assertThat(refused("issuer: https://sso.example.com/realms/a")).contains("option 'audience' is required");
    assertThat(refused("issuer: https://sso.example.com/realms/a\naudience: s\nallowedAlgorithms: [RS256, HS256]"))
        .contains("\"HS256\" is not allowed").contains("HMAC are never accepted");
    assertThat(refused("issuer: https://sso.example.com/realms/a\naudience: s\nallowedAlgorithms: [none]"))
        .contains("\"none\" is not allowed");
    assertThat(refused("issuer: https://sso.example.com/realms/a\naudience: s\nclockSkew: 1h")).contains("clockSkew");
    assertThat(refused("issuer: https://sso.example.com/realms/a\naudience: s\nroleMapping: { realm: { a: admin } }"))
        .contains("unknown key 'realm'");
    assertThat(refused("issuer: https://sso.example.com/realms/a\naudience: s\nroleMapping: { groups: { ops: [1] } }"))
        .contains("option 'roleMapping.groups.ops'");
    assertThat(refused("issuer: https://sso.example.com/realms/a\naudience: s\nroleMapping: { groups: { ops: 'a b' } }"))
        .contains("Sluice role must be");
    String secretless = refused("issuer: https://sso.example.com/realms/a\naudience: s\n"
        + "introspection: { clientId: c, clientSecret: [hidden-value-123] }");
    assertThat(secretless).contains("clientSecret").doesNotContain("hidden-value-123");
  }

  @Test
  void theConfigurationFileSchemaAcceptsTheDocumentedExampleAndNamesTypos(@TempDir Path dir) throws Exception {
    ConfigLoader loader = ConfigLoader.create(ProviderRegistry.discover(getClass().getClassLoader(), List.of()));
    Path ok = dir.resolve("ok.yaml");
    Files.writeString(ok, """
        auth:
          authenticators:
            - type: keycloak
              issuer: https://sso.example.com/realms/acme
              audience: sluice
              clientId: sluice-dashboard
              clockSkew: 30s
              roleMapping:
                realmRoles: { sluice-admin: admin }
                clientRoles: { sluice: { operator: operator, viewer: [viewer] } }
                groups: { /data-team: viewer }
              introspection: { clientId: sluice-backend, clientSecret: "x", forJwts: false }
        """);
    List<ConfigProblem> problems = loader.validate(List.of(ok));
    assertThat(problems).isEmpty();
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, """
        auth:
          authenticators:
            - type: oidc
              issuer: https://sso.example.com/realms/acme
              audience: sluice
              clockskew: 30s
        """);
    assertThat(loader.validate(List.of(typo))).anySatisfy(p -> assertThat(p.toString()).contains("clockskew"));
  }

  @Test
  void createdFromConfigItAuthenticatesAgainstTheProvider() throws Exception {
    try (OidcStub stub = new OidcStub("acme")) {
      KeyPair key = OidcStub.rsa();
      stub.publish("k1", key);
      CapturingLogger log = new CapturingLogger("sluice.authenticator.sso");
      Authenticator a = new KeycloakAuthenticatorProvider().create(config("issuer: " + stub.issuer()
          + "\naudience: sluice\nroleMapping: { realmRoles: { boss: admin } }"), new Context(log));
      assertThat(stub.totalHits()).as("create does no I/O").isZero();
      String token = JWT.create().withKeyId("k1").withIssuer(stub.issuer()).withAudience("sluice")
          .withClaim("preferred_username", "zoe").withClaim("realm_access", java.util.Map.of("roles", List.of("boss", "x")))
          .withIssuedAt(Context.NOW).withExpiresAt(Context.NOW.plusSeconds(60))
          .sign(Algorithm.RSA256((RSAPublicKey) key.getPublic(), (RSAPrivateKey) key.getPrivate()));
      AuthResult r = a.authenticate(bearer(token));
      assertThat(r.status()).isEqualTo(AuthResult.Status.AUTHENTICATED);
      assertThat(r.principal().orElseThrow().roles()).containsExactly("admin");
      assertThat(log.all()).contains("realm role x");
    }
  }

  @Test
  void dashboardLoginMakesTheAuthenticatorABrowserLogin() throws Exception {
    try (OidcStub stub = new OidcStub("acme")) {
      CapturingLogger log = new CapturingLogger("sluice.authenticator.sso");
      Authenticator plain = new KeycloakAuthenticatorProvider().create(config("issuer: " + stub.issuer()
          + "\naudience: sluice\nclientId: dash"), new Context(log));
      assertThat(plain).isNotInstanceOf(dev.sluice.auth.BrowserLogin.class);

      Authenticator a = new KeycloakAuthenticatorProvider().create(config("issuer: " + stub.issuer()
          + "\naudience: sluice\nclientId: dash\ndashboardLogin: { scopes: [email] }"), new Context(log));
      assertThat(stub.totalHits()).as("create does no I/O").isZero();
      assertThat(a).isInstanceOf(dev.sluice.auth.BrowserLogin.class);
      dev.sluice.auth.BrowserLogin login = (dev.sluice.auth.BrowserLogin) a;
      assertThat(login.id()).isEqualTo("keycloak");
      assertThat(login.label()).isEqualTo("Keycloak");
      dev.sluice.auth.BrowserLogin.Started started = login.begin(java.net.URI.create("https://sluice.example.com/cb"));
      assertThat(started.location().toString()).startsWith(stub.issuer())
          .contains("client_id=dash").contains("scope=openid+email").contains("state=" + started.state())
          .contains("code_challenge_method=S256");
      assertThat(started.toString()).doesNotContain(started.state());
      assertThat(catchThrowable(() -> login.complete(started, java.util.Map.of("state", started.state() + "x",
          "code", "c")))).isInstanceOf(dev.sluice.auth.AuthenticationException.class)
          .hasMessageContaining("state does not match");

      dev.sluice.auth.BrowserLogin oidc = (dev.sluice.auth.BrowserLogin) new OidcAuthenticatorProvider().create(
          config("issuer: " + stub.issuer() + "\naudience: sluice\ndashboardLogin: { clientId: other,"
              + " clientSecret: s3, id: corp-sso, label: Corp }"), new Context(log));
      assertThat(oidc.id()).isEqualTo("corp-sso");
      assertThat(oidc.label()).isEqualTo("Corp");
    }
    Throwable noClient = catchThrowable(() -> new KeycloakAuthenticatorProvider().create(config(
        "issuer: https://sso.example.com/realms/a\naudience: sluice\ndashboardLogin: {}"), new Context(new CapturingLogger("sluice.authenticator.sso"))));
    assertThat(noClient).isInstanceOf(PluginConfigException.class).hasMessageContaining("dashboardLogin")
        .hasMessageContaining("clientId");
    Throwable badId = catchThrowable(() -> new KeycloakAuthenticatorProvider().create(config(
        "issuer: https://sso.example.com/realms/a\naudience: sluice\nclientId: d\ndashboardLogin: { id: Bad/Id }"),
        new Context(new CapturingLogger("sluice.authenticator.sso"))));
    assertThat(badId).isInstanceOf(PluginConfigException.class).hasMessageContaining("id");
  }

  /** A minimal plugin context with a fixed clock. */
  private static final class Context implements PluginContext {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private final Logger log;
    private final Store store = new InMemoryStore();
    private final MeterRegistry meters = new SimpleMeterRegistry();

    Context(Logger log) {
      this.log = log;
    }

    @Override
    public String name() {
      return "sso";
    }

    @Override
    public PluginKind kind() {
      return PluginKind.AUTHENTICATOR;
    }

    @Override
    public Clock clock() {
      return Clock.fixed(NOW, java.time.ZoneOffset.UTC);
    }

    @Override
    public MeterRegistry meterRegistry() {
      return meters;
    }

    @Override
    public ObjectMapper objectMapper() {
      return new ObjectMapper();
    }

    @Override
    public Logger logger() {
      return log;
    }

    @Override
    public Store store() {
      return store;
    }
  }
}
