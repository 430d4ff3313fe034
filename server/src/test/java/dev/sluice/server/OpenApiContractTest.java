package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.store.InMemoryStore;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document and the server agree, both ways: the document parses without messages,
 * every route the server registers is in it, every operation in it is implemented, and the request
 * and response bodies of a call to every operation (success and 401) validate against its schemas.
 */
class OpenApiContractTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  @TempDir static Path dir;
  static Fixture f;
  static String runId;
  static String specText;
  static JsonNode spec;

  @BeforeAll
  static void start() throws Exception {
    f = new Fixture(new InMemoryStore(), dir);
    runId = f.runOrders();
    try (InputStream in = SluiceServer.class.getResourceAsStream("/dev/sluice/server/openapi.yaml")) {
      assertThat(in).as("openapi.yaml is in the jar").isNotNull();
      specText = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    spec = YAML.readTree(specText);
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void theJarCarriesTheDocumentOfDocsApi() throws Exception {
    Path source = Path.of("..", "docs", "api", "openapi.yaml");
    assertThat(Files.readString(source)).isEqualTo(specText);
    assertThat(f.get("/openapi.yaml", null).body()).isEqualTo(specText);
  }

  @Test
  void theDocumentParsesWithoutMessages() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result = new OpenAPIV3Parser().readContents(specText, null, options);
    assertThat(result.getMessages()).isEmpty();
    OpenAPI api = result.getOpenAPI();
    assertThat(api).isNotNull();
    assertThat(api.getOpenapi()).isEqualTo("3.1.0");
    // Every protected operation names its permission, every operation has an id.
    api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
      assertThat(op.getOperationId()).as(method + " " + path).isNotBlank();
      boolean isPublic = op.getSecurity() != null && op.getSecurity().isEmpty();
      if (!isPublic) {
        assertThat(op.getExtensions()).as(method + " " + path + " x-sluice-permission")
            .containsKey("x-sluice-permission");
      }
    }));
  }

  @Test
  void routesAndOperationsMatchBothWays() {
    Set<String> documented = operations().keySet();
    Set<String> webhooks = f.sluice.webhooks().paths();
    Set<String> registered = f.server.routes().stream()
        .filter(r -> !webhooks.contains(r.path()))
        .map(r -> r.method() + " " + r.path())
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(registered).as("routes the server registers but the document lacks")
        .isSubsetOf(documented);
    assertThat(documented).as("operations the document has but the server lacks").isSubsetOf(registered);
  }

  @Test
  void permissionsInTheDocumentAreThoseTheServerEnforces() {
    Map<String, JsonNode> ops = operations();
    for (RouteInfo r : f.server.routes()) {
      JsonNode op = ops.get(r.method() + " " + r.path());
      if (op == null) {
        continue; // webhooks: checked above
      }
      String documented = op.path("x-sluice-permission").asText(null);
      assertThat(documented).as(r.method() + " " + r.path())
          .isEqualTo(r.permission() == null ? null : r.permission().id());
    }
  }

  @Test
  void bodiesOfEveryOperationValidateAgainstTheSchemas() {
    Map<String, JsonNode> ops = operations();
    List<String> failures = new ArrayList<>();
    Set<String> exercised = new TreeSet<>();
    for (RouteSamples.Sample s : RouteSamples.all(runId)) {
      String key = s.method() + " " + s.template();
      JsonNode op = ops.get(key);
      if (op == null) {
        continue; // webhook paths depend on the configuration
      }
      exercised.add(key);
      RouteSamples.Req req = s.request().apply(f, "admin");
      if (req.body() != null && "application/json".equals(req.contentType())) {
        JsonNode schema = op.path("requestBody").path("content").path("application/json").path("schema");
        assertThat(schema.isMissingNode()).as(key + " documents its JSON request body").isFalse();
        failures.addAll(validate(key + " request", pointer(key, "requestBody/content/application~1json/schema"),
            parse(req.body())));
      }
      HttpResponse<String> r = RouteSamples.send(f, new RouteSamples.Sample(s.method(), s.template(), s.minRole(),
          s.okStatus(), (fx, who) -> req), "admin");
      failures.addAll(checkResponse(key, op, r));
      if (s.minRole() != null) {
        failures.addAll(checkResponse(key, op, RouteSamples.send(f, s, null)));
        failures.addAll(checkResponse(key, op, RouteSamples.send(f, s, "not-a-token")));
      }
    }
    assertThat(failures).isEmpty();
    assertThat(exercised).isEqualTo(ops.keySet());
  }

  @Test
  void problemResponsesValidateAgainstTheProblemSchema() {
    List<String> failures = new ArrayList<>();
    failures.addAll(checkResponse("GET /api/v1/runs/{id}", operations().get("GET /api/v1/runs/{id}"),
        f.get("/api/v1/runs/nope", "viewer")));
    failures.addAll(checkResponse("POST /api/v1/pipelines/{name}/runs", operations().get("POST /api/v1/pipelines/{name}/runs"),
        f.call("POST", "/api/v1/pipelines/orders/runs", "viewer", null)));
    failures.addAll(checkResponse("POST /api/v1/pipelines/{name}/runs", operations().get("POST /api/v1/pipelines/{name}/runs"),
        f.call("POST", "/api/v1/pipelines/orders/runs", "operator", "{\"nope\":1}")));
    failures.addAll(checkResponse("POST /api/v1/pipelines", operations().get("POST /api/v1/pipelines"),
        f.call("POST", "/api/v1/pipelines", "admin", "{\"name\":\"bad\",\"spec\":{\"source\":{\"type\":\"nosuch\"}}}")));
    failures.addAll(checkResponse("DELETE /api/v1/pipelines/{name}/checkpoint",
        operations().get("DELETE /api/v1/pipelines/{name}/checkpoint"),
        f.call("DELETE", "/api/v1/pipelines/orders/checkpoint", "operator", null)));
    assertThat(failures).isEmpty();
  }

  @Test
  void theValidationCatchesBodiesThatBreakTheSchema() {
    assertThat(validate("health", "#/components/schemas/Health", parse("{\"status\":\"NOPE\"}"))).isNotEmpty();
    assertThat(validate("run", "#/components/schemas/RunSummary", parse("{\"id\":\"x\"}"))).isNotEmpty();
    assertThat(validate("run", "#/components/schemas/DeadLetterSelection", parse("{\"every\":true}"))).isNotEmpty();
    assertThat(validate("health", "#/components/schemas/Health", parse("{\"status\":\"UP\"}"))).isEmpty();
  }

  private List<String> checkResponse(String key, JsonNode op, HttpResponse<String> r) {
    List<String> failures = new ArrayList<>();
    String status = Integer.toString(r.statusCode());
    JsonNode response = op.path("responses").path(status);
    if (response.isMissingNode()) {
      failures.add(key + ": status " + status + " is not documented (body " + r.body() + ")");
      return failures;
    }
    if (response.has("$ref")) {
      String ref = response.get("$ref").asText();
      response = spec.at(ref.substring(1));
    }
    JsonNode content = response.path("content");
    if (content.isMissingNode() || content.isEmpty()) {
      if (!r.body().isEmpty()) {
        failures.add(key + " " + status + ": documented without a body, got " + r.body());
      }
      return failures;
    }
    String type = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!content.has(type)) {
      failures.add(key + " " + status + ": content type " + type + " is not documented");
      return failures;
    }
    if (type.endsWith("json")) {
      String where = response == op.path("responses").path(status)
          ? pointer(key, "responses/" + status + "/content/" + type.replace("/", "~1") + "/schema")
          : "#" + op.path("responses").path(status).get("$ref").asText().substring(1)
              + "/content/" + type.replace("/", "~1") + "/schema";
      failures.addAll(validate(key + " " + status, where, parse(r.body())));
    }
    return failures;
  }

  /** Validates {@code value} against the schema at {@code ref} (a pointer into the document). */
  private static List<String> validate(String what, String ref, JsonNode value) {
    ObjectNode root = spec.deepCopy();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$ref", ref);
    Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root);
    List<String> out = new ArrayList<>();
    for (Error e : schema.validate(value)) {
      out.add(what + ": " + e.getInstanceLocation() + " " + e.getMessage() + " in " + value);
    }
    return out;
  }

  private static String pointer(String key, String rest) {
    String[] parts = key.split(" ", 2);
    return "#/paths/" + parts[1].replace("~", "~0").replace("/", "~1") + "/" + parts[0].toLowerCase(Locale.ROOT)
        + "/" + rest;
  }

  private static JsonNode parse(String text) {
    try {
      return Fixture.JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  /** "METHOD /path" → the operation's node. */
  private static Map<String, JsonNode> operations() {
    Map<String, JsonNode> ops = new java.util.TreeMap<>();
    spec.path("paths").properties().forEach(p -> p.getValue().properties().forEach(m -> {
      if (Set.of("get", "post", "put", "delete", "patch").contains(m.getKey())) {
        ops.put(m.getKey().toUpperCase(Locale.ROOT) + " " + p.getKey(), m.getValue());
      }
    }));
    return ops;
  }
}
