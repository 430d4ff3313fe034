package dev.sluice.auth.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.Authenticator;
import dev.sluice.spi.AuthenticatorProvider;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.sluice.auth.BrowserLogin;

/**
 * The {@code keycloak} authenticator: accepts bearer tokens of one Keycloak realm (or any OpenID
 * Connect provider; the same authenticator is also registered as type {@code oidc} by {@link
 * OidcAuthenticatorProvider}) and maps realm roles, client roles and groups to Sluice roles. See
 * {@code docs/user-guide/authentication.md#keycloak-and-other-openid-connect-providers}.
 *
 * <pre>{@code
 * auth:
 *   authenticators:
 *     - type: keycloak
 *       issuer: https://sso.example.com/realms/acme
 *       audience: sluice
 *       clientId: sluice-dashboard
 *       roleMapping:
 *         realmRoles: { sluice-admin: admin }
 *         clientRoles: { sluice: { operator: operator, viewer: viewer } }
 *         groups: { /data-team: viewer }
 *       dashboardLogin:                 # optional: "Sign in with Keycloak" on the dashboard
 *         clientSecret: ${secret:keycloak_dashboard_secret}
 *         scopes: [email]
 * }</pre>
 *
 * <p>With {@code dashboardLogin} the created authenticator is also a {@link BrowserLogin} (the
 * authorization code flow with PKCE of {@link AuthorizationCodeFlow}), which {@code sluice serve}
 * offers on the dashboard's sign-in page.
 *
 * <p>Registered in {@code META-INF/services/dev.sluice.spi.AuthenticatorProvider}. Stateless and
 * thread-safe; neither the constructor nor {@link #create} does I/O (discovery and keys are fetched
 * when the first token arrives).
 */
public class KeycloakAuthenticatorProvider implements AuthenticatorProvider {

  /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
  public KeycloakAuthenticatorProvider() {}

  @Override
  public String type() {
    return "keycloak";
  }

  @Override
  public String description() {
    return "Keycloak/OpenID Connect bearer tokens (JWKS, introspection) with role mapping";
  }

  @Override
  public ObjectNode configSchema() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode rolesValue = f.objectNode();
    rolesValue.putArray("oneOf").add(f.objectNode().put("type", "string"))
        .add(ConfigSchemas.stringList("Sluice roles"));
    ObjectNode roleMap = f.objectNode().put("type", "object")
        .put("description", "Provider role or group → Sluice role(s)");
    roleMap.set("additionalProperties", rolesValue);
    ObjectNode clientRoles = f.objectNode().put("type", "object")
        .put("description", "Client id → (client role → Sluice role(s)), from resource_access.<client>.roles");
    clientRoles.set("additionalProperties", roleMap.deepCopy());
    ObjectNode roleMapping = ConfigSchemas.object()
        .description("Which provider roles and groups grant which Sluice roles (viewer, operator, admin or custom"
            + " roles). Unmapped roles are ignored.")
        .optional("realmRoles", roleMap.deepCopy().put("description", "Realm role (realm_access.roles) → Sluice role(s)"))
        .optional("clientRoles", clientRoles)
        .optional("groups", roleMap.deepCopy().put("description", "Group (groups claim; full path or name, the leading"
            + " / is ignored) → Sluice role(s)"))
        .build();
    ObjectNode introspection = ConfigSchemas.object()
        .description("RFC 7662 token introspection with a confidential client: opaque tokens are always"
            + " introspected; JWTs too with forJwts.")
        .required("clientId", ConfigSchemas.string("The confidential client allowed to introspect."))
        .required("clientSecret", ConfigSchemas.secret("Its secret; write it as ${secret:NAME}."))
        .optional("endpoint", ConfigSchemas.string("The introspection endpoint; default: from discovery."))
        .optional("forJwts", ConfigSchemas.bool("Also introspect JWTs after they validated locally, to see"
            + " revocations at once (one request per call).", false))
        .build();
    ObjectNode audience = f.objectNode().put("description", "Accepted 'aud' value(s); a token must name at least one."
        + " For Keycloak add an audience mapper to the clients that request tokens for Sluice.");
    audience.putArray("oneOf").add(f.objectNode().put("type", "string")).add(ConfigSchemas.stringList("audiences"));
    ObjectNode algorithms = f.objectNode().put("type", "array")
        .put("description", "Accepted signature algorithms; 'none' and HMAC are never accepted.");
    ObjectNode items = algorithms.putObject("items").put("type", "string");
    ArrayNodeFill.fill(items.putArray("enum"), OidcSettings.SUPPORTED_ALGORITHMS);
    ArrayNodeFill.fill(algorithms.putArray("default"), OidcSettings.DEFAULT_ALGORITHMS);
    return ConfigSchemas.object()
        .description("Bearer tokens of a Keycloak realm or any OpenID Connect provider.")
        .required("issuer", ConfigSchemas.string("The issuer exactly as in the tokens' iss, e.g."
            + " https://sso.example.com/realms/acme; discovery reads {issuer}/.well-known/openid-configuration."))
        .required("audience", audience)
        .optional("clientId", ConfigSchemas.string("Sluice's client id at the provider (browser login)."))
        .optional("authorizedParties", ConfigSchemas.stringList("When set, a token's azp must be one of these."))
        .optional("allowedAlgorithms", algorithms)
        .optional("clockSkew", ConfigSchemas.duration("Leeway for exp, nbf and iat (at most 5m).", "30s"))
        .optional("maxTokenBytes", ConfigSchemas.integer("Longer tokens are refused before parsing.", 16384, 1024))
        .optional("jwksRefreshInterval", ConfigSchemas.duration("Least time between two key downloads caused by"
            + " unknown key ids.", "30s"))
        .optional("jwksCacheTime", ConfigSchemas.duration("How long downloaded keys are used before they are"
            + " downloaded again.", "10m"))
        .optional("httpTimeout", ConfigSchemas.duration("Timeout of requests to the provider.", "10s"))
        .optional("usernameClaim", ConfigSchemas.string("The claim used as the user name (falls back to sub).",
            "preferred_username"))
        .optional("passOtherIssuers", ConfigSchemas.bool("Tokens of other issuers are passed to the next"
            + " authenticator instead of rejected.", false))
        .optional("roleMapping", roleMapping)
        .optional("introspection", introspection)
        .optional("dashboardLogin", ConfigSchemas.object()
            .description("Offer \"Sign in with …\" on the dashboard: the authorization code flow with PKCE"
                + " (sluice serve; needs server.publicUrl unless the server listens on loopback). Register"
                + " {publicUrl}/api/v1/session/sso/{id}/callback as a redirect URI of the client.")
            .optional("clientId", ConfigSchemas.string("The dashboard's client at the provider; default: clientId."))
            .optional("clientSecret", ConfigSchemas.secret("The client's secret for a confidential client; write it"
                + " as ${secret:NAME} or ${env:NAME}. Leave out for a public client."))
            .optional("scopes", ConfigSchemas.stringList("Scopes besides openid, e.g. [email, profile]."))
            .optional("id", ConfigSchemas.string("The login's name in URLs (a-z, 0-9, '-').", type()))
            .optional("label", ConfigSchemas.string("What the button says after \"Sign in with\".", defaultLabel()))
            .build())
        .build();
  }

  /**
   * What the dashboard's button names by default ("Sign in with Keycloak").
   *
   * @return the label, never null
   */
  protected String defaultLabel() {
    return "Keycloak";
  }

  @Override
  public Authenticator create(PluginConfig config, PluginContext context) {
    OidcAuthenticator oidc = OidcAuthenticator.create(settings(config), context.objectMapper(), context.clock(),
        context.logger());
    Optional<JsonNode> dashboard = config.node("dashboardLogin");
    if (dashboard.isEmpty() || dashboard.get().isNull()) {
      return oidc;
    }
    return new WithBrowserLogin(oidc, browserLogin(config, dashboard.get(), oidc));
  }

  private BrowserLogin browserLogin(PluginConfig config, JsonNode n, OidcAuthenticator oidc) {
    if (!n.isObject()) {
      throw config.invalid("dashboardLogin", "an object (clientId, clientSecret, scopes, id, label)", n);
    }
    PluginConfig sub = new PluginConfig(config.owner() + " dashboardLogin", (ObjectNode) n);
    String clientId = sub.optionalString("clientId").or(() -> config.optionalString("clientId"))
        .orElseThrow(() -> new PluginConfigException(sub.owner() + ": option 'clientId' is required (here or on the"
            + " authenticator): the dashboard's client at the provider"));
    String clientSecret = sub.has("clientSecret") ? sub.secret("clientSecret") : null;
    String id = sub.optionalString("id").orElse(type());
    if (!BrowserLogin.ID.matcher(id).matches()) {
      throw sub.invalid("id", "1-32 of a-z, 0-9 and '-', not starting with '-'", n.get("id"));
    }
    String label = sub.optionalString("label").orElse(defaultLabel());
    try {
      return new AuthorizationCodeFlow(oidc, clientId, clientSecret, sub.stringList("scopes")).asBrowserLogin(id, label);
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(sub.owner() + ": " + e.getMessage());
    }
  }

  /**
   * The authenticator when a dashboard login is configured: it validates bearer tokens as always,
   * and is also the browser login {@code sluice serve} puts on the dashboard.
   */
  private static final class WithBrowserLogin implements Authenticator, BrowserLogin {
    private final OidcAuthenticator tokens;
    private final BrowserLogin login;

    WithBrowserLogin(OidcAuthenticator tokens, BrowserLogin login) {
      this.tokens = tokens;
      this.login = login;
    }

    @Override
    public dev.sluice.spi.AuthResult authenticate(dev.sluice.spi.AuthRequest request) {
      return tokens.authenticate(request);
    }

    @Override
    public String id() {
      return login.id();
    }

    @Override
    public String label() {
      return login.label();
    }

    @Override
    public Started begin(URI redirectUri) {
      return login.begin(redirectUri);
    }

    @Override
    public dev.sluice.auth.Principal complete(Started started, Map<String, String> callbackQuery) {
      return login.complete(started, callbackQuery);
    }

    @Override
    public String toString() {
      return tokens + " with " + login;
    }
  }

  /**
   * Reads and checks the options.
   *
   * @param config the instance's configuration
   * @return the settings
   * @throws PluginConfigException naming the instance and the option when one is missing or invalid
   */
  public static OidcSettings settings(PluginConfig config) {
    OidcSettings.Builder b;
    try {
      b = OidcSettings.builder(config.string("issuer"));
    } catch (IllegalArgumentException e) {
      throw config.invalid("issuer", "an absolute http(s) URL without query or credentials",
          config.node("issuer").orElse(null));
    }
    try {
      List<String> audiences = config.stringList("audience");
      if (audiences.isEmpty()) {
        throw new PluginConfigException(config.owner() + ": option 'audience' is required (the 'aud' value(s) Sluice"
            + " accepts)");
      }
      b.audience(audiences.toArray(String[]::new));
      config.stringList("authorizedParties").forEach(b::authorizedParty);
      config.optionalString("clientId").ifPresent(b::clientId);
      if (config.has("allowedAlgorithms")) {
        b.allowedAlgorithms(config.stringList("allowedAlgorithms"));
      }
      b.clockSkew(config.duration("clockSkew", Duration.ofSeconds(30)));
      b.maxTokenBytes(config.intValue("maxTokenBytes", 16384, 1024, 1024 * 1024));
      b.jwksRefreshInterval(config.duration("jwksRefreshInterval", Duration.ofSeconds(30)));
      b.jwksCacheTime(config.duration("jwksCacheTime", Duration.ofMinutes(10)));
      b.httpTimeout(config.duration("httpTimeout", Duration.ofSeconds(10)));
      config.optionalString("usernameClaim").ifPresent(b::usernameClaim);
      b.passOtherIssuers(config.bool("passOtherIssuers", false));
      config.node("roleMapping").ifPresent(n -> b.roleMapping(roleMapping(config, n)));
      config.node("introspection").ifPresent(n -> b.introspection(introspection(config, n)));
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + e.getMessage());
    }
  }

  private static RoleMapping roleMapping(PluginConfig config, JsonNode n) {
    if (!n.isObject()) {
      throw config.invalid("roleMapping", "an object with realmRoles, clientRoles and/or groups", n);
    }
    RoleMapping.Builder b = RoleMapping.builder();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String section = it.next();
      JsonNode value = n.get(section);
      switch (section) {
        case "realmRoles":
          eachMapping(config, "roleMapping.realmRoles", value, (k, roles) -> b.realmRole(k, roles));
          break;
        case "groups":
          eachMapping(config, "roleMapping.groups", value, (k, roles) -> b.group(k, roles));
          break;
        case "clientRoles":
          if (!value.isObject()) {
            throw config.invalid("roleMapping.clientRoles", "an object: client id → (client role → Sluice roles)", value);
          }
          value.fields().forEachRemaining(client -> eachMapping(config, "roleMapping.clientRoles." + client.getKey(),
              client.getValue(), (k, roles) -> b.clientRole(client.getKey(), k, roles)));
          break;
        default:
          throw new PluginConfigException(config.owner() + ": option 'roleMapping' has unknown key '" + section
              + "' (expected realmRoles, clientRoles or groups)");
      }
    }
    return b.build();
  }

  private interface MappingSink {
    void add(String providerName, String[] sluiceRoles);
  }

  private static void eachMapping(PluginConfig config, String option, JsonNode value, MappingSink sink) {
    if (!value.isObject()) {
      throw config.invalid(option, "an object: provider role or group → Sluice role(s)", value);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<String> roles = new ArrayList<>();
      JsonNode v = e.getValue();
      if (v.isTextual()) {
        roles.add(v.asText());
      } else if (v.isArray()) {
        for (JsonNode r : v) {
          if (!r.isTextual()) {
            throw config.invalid(option + "." + e.getKey(), "a Sluice role or a list of them", v);
          }
          roles.add(r.asText());
        }
      } else {
        throw config.invalid(option + "." + e.getKey(), "a Sluice role or a list of them", v);
      }
      sink.add(e.getKey(), roles.toArray(String[]::new));
    }
  }

  private static OidcSettings.Introspection introspection(PluginConfig config, JsonNode n) {
    if (!n.isObject()) {
      throw config.invalid("introspection", "an object with clientId and clientSecret", n);
    }
    PluginConfig sub = new PluginConfig(config.owner() + " introspection", (ObjectNode) n);
    URI endpoint = null;
    if (sub.has("endpoint")) {
      try {
        endpoint = URI.create(sub.string("endpoint"));
        if (endpoint.getHost() == null) {
          throw new IllegalArgumentException();
        }
      } catch (IllegalArgumentException e) {
        throw sub.invalid("endpoint", "an absolute http(s) URL", n.get("endpoint"));
      }
    }
    return new OidcSettings.Introspection(sub.string("clientId"), sub.secret("clientSecret"), endpoint,
        sub.bool("forJwts", false));
  }

  /** Small helper: copies strings into a JSON array, sorted. */
  private static final class ArrayNodeFill {
    static void fill(com.fasterxml.jackson.databind.node.ArrayNode array, java.util.Set<String> values) {
      new java.util.TreeSet<>(values).forEach(array::add);
    }
  }
}
