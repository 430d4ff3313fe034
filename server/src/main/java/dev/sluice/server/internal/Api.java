package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.UnknownPipelineException;
import dev.sluice.auth.Permission;
import dev.sluice.auth.Principal;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ConfigSchema;
import dev.sluice.delivery.ReplayReport;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.RunProgress;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Record;
import dev.sluice.routing.RecordTrace;
import dev.sluice.routing.RoutingRule;
import dev.sluice.schedule.RunHandle;
import dev.sluice.schedule.TriggerDefinition;
import dev.sluice.schedule.WebhookResponse;
import dev.sluice.server.ServerOptions;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.PluginKind;
import dev.sluice.store.ConfigDocument;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.PipelineStore;
import dev.sluice.store.RunRecord;
import dev.sluice.store.StaleVersionException;
import dev.sluice.store.StoredCheckpoint;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The routes of the REST API and their handlers. Thread-safe. */
public final class Api {
  private static final Logger LOG = LoggerFactory.getLogger(Api.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int RUN_SCAN = 1000;
  private static final int MAX_LIMIT = 500;
  private static final int DEFAULT_LIMIT = 50;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  private static final Pattern SECRET_KEY = Pattern.compile(
      "(?i).*(password|passwd|secret|token|apikey|api_key|api-key|credential|privatekey|private_key).*");
  static final String MASK = "********";

  private final Sluice sluice;
  private final ServerOptions options;
  private final PipelineValidator validator;

  public Api(Sluice sluice, ServerOptions options) {
    this.sluice = sluice;
    this.options = options;
    this.validator = new PipelineValidator(
        ConfigLoader.create(sluice.plugins(), options.configEnvironment(), Clock.systemUTC()));
  }

  /** Every route, in registration order. */
  public List<Route> routes() {
    List<Route> r = new ArrayList<>();
    // Health (public)
    r.add(new Route("GET", "/health/live", null, c -> null, (c, p) -> live(c)));
    r.add(new Route("GET", "/health/ready", null, c -> null, (c, p) -> ready(c)));
    // Pipelines
    r.add(new Route("GET", "/api/v1/pipelines", Permission.PIPELINES_READ, c -> null, (c, p) -> listPipelines(c)));
    r.add(new Route("POST", "/api/v1/pipelines", Permission.PIPELINES_WRITE, c -> null, (c, p) -> createPipeline(c)));
    r.add(new Route("POST", "/api/v1/pipelines/validate", Permission.PIPELINES_READ, c -> null,
        (c, p) -> validatePipeline(c)));
    r.add(new Route("GET", "/api/v1/pipelines/{name}", Permission.PIPELINES_READ, Api::name, (c, p) -> getPipeline(c)));
    r.add(new Route("PUT", "/api/v1/pipelines/{name}", Permission.PIPELINES_WRITE, Api::name,
        (c, p) -> updatePipeline(c)));
    r.add(new Route("DELETE", "/api/v1/pipelines/{name}", Permission.PIPELINES_WRITE, Api::name,
        (c, p) -> deletePipeline(c)));
    r.add(new Route("POST", "/api/v1/pipelines/{name}/runs", Permission.RUNS_TRIGGER, Api::name,
        (c, p) -> triggerRun(c)));
    r.add(new Route("POST", "/api/v1/pipelines/{name}/preview", Permission.PIPELINES_READ, Api::name,
        (c, p) -> preview(c)));
    r.add(new Route("GET", "/api/v1/pipelines/{name}/checkpoint", Permission.CHECKPOINTS_READ, Api::name,
        (c, p) -> getCheckpoint(c)));
    r.add(new Route("DELETE", "/api/v1/pipelines/{name}/checkpoint", Permission.CHECKPOINTS_RESET, Api::name,
        (c, p) -> resetCheckpoint(c)));
    // Runs
    r.add(new Route("GET", "/api/v1/runs", Permission.RUNS_READ, c -> c.queryParam("pipeline"), (c, p) -> listRuns(c)));
    r.add(new Route("GET", "/api/v1/runs/{id}", Permission.RUNS_READ, this::runPipeline, (c, p) -> getRun(c)));
    r.add(new Route("POST", "/api/v1/runs/{id}/cancel", Permission.RUNS_CANCEL, this::runPipeline,
        (c, p) -> cancelRun(c)));
    r.add(new Route("GET", "/api/v1/runs/{id}/events", Permission.RUNS_READ, this::runPipeline,
        (c, p) -> runEvents(c)));
    // Dead letters
    r.add(new Route("GET", "/api/v1/dead-letters", Permission.DEAD_LETTERS_READ, c -> c.queryParam("pipeline"),
        (c, p) -> listDeadLetters(c)));
    r.add(new Route("GET", "/api/v1/dead-letters/{id}", Permission.DEAD_LETTERS_READ, this::deadLetterPipeline,
        (c, p) -> getDeadLetter(c)));
    r.add(new Route("DELETE", "/api/v1/dead-letters/{id}", Permission.DEAD_LETTERS_PURGE, this::deadLetterPipeline,
        (c, p) -> purgeOne(c)));
    r.add(new Route("POST", "/api/v1/dead-letters/{id}/replay", Permission.DEAD_LETTERS_REPLAY,
        this::deadLetterPipeline, (c, p) -> replayOne(c)));
    r.add(new Route("POST", "/api/v1/dead-letters/replay", Permission.DEAD_LETTERS_REPLAY, this::selectionPipeline,
        (c, p) -> replaySelection(c)));
    r.add(new Route("POST", "/api/v1/dead-letters/purge", Permission.DEAD_LETTERS_PURGE, this::selectionPipeline,
        (c, p) -> purgeSelection(c)));
    // Destinations, connectors, plugins, configuration
    r.add(new Route("GET", "/api/v1/destinations", Permission.PIPELINES_READ, c -> null, (c, p) -> destinations(c)));
    r.add(new Route("GET", "/api/v1/connectors", Permission.PIPELINES_READ, c -> null, (c, p) -> connectors(c)));
    // Connection tests reach out to remote systems: operators (runs:trigger), never viewers. A
    // destination serves several pipelines, so its test needs a grant not limited to some of them.
    ConnectionTests tests = new ConnectionTests(sluice);
    r.add(new Route("POST", "/api/v1/destinations/{name}/test", Permission.RUNS_TRIGGER, c -> null,
        (c, p) -> tests.destination(c)));
    r.add(new Route("POST", "/api/v1/pipelines/{name}/source/test", Permission.RUNS_TRIGGER, Api::name,
        (c, p) -> tests.source(c)));
    r.add(new Route("GET", "/api/v1/plugins", Permission.PLUGINS_READ, c -> null, (c, p) -> plugins(c)));
    r.add(new Route("GET", "/api/v1/config/schema", Permission.PIPELINES_READ, c -> null, (c, p) -> schema(c)));
    r.add(new Route("POST", "/api/v1/config/validate", Permission.PIPELINES_READ, c -> null,
        (c, p) -> validateConfig(c)));
    // Secrets
    r.add(new Route("GET", "/api/v1/secrets", Permission.SECRETS_READ, c -> null, (c, p) -> listSecrets(c)));
    r.add(new Route("PUT", "/api/v1/secrets/{name}", Permission.SECRETS_WRITE, c -> null, (c, p) -> putSecret(c)));
    r.add(new Route("DELETE", "/api/v1/secrets/{name}", Permission.SECRETS_WRITE, c -> null,
        (c, p) -> deleteSecret(c)));
    // Metrics
    r.add(new Route("GET", "/metrics", Permission.METRICS_READ, c -> null, (c, p) -> metrics(c)));
    // Local authentication and its administration
    options.localAuth().ifPresent(auth -> r.addAll(new AuthApi(auth).routes()));
    return r;
  }

  // ---------------------------------------------------------------- health

  private void live(Context c) {
    ObjectNode n = F.objectNode();
    n.put("status", "UP");
    Responses.json(c, 200, n);
  }

  private void ready(Context c) {
    ObjectNode n = F.objectNode();
    ObjectNode checks = n.putObject("checks");
    boolean up = true;
    try {
      sluice.store().runs().list(null, 1);
      checks.put("store", "UP");
    } catch (RuntimeException e) {
      LOG.warn("readiness: the store is not reachable: {}", e.toString());
      checks.put("store", "DOWN");
      up = false;
    }
    boolean started = sluice.isStarted();
    checks.put("scheduler", started ? "UP" : "DOWN");
    up &= started;
    for (var check : options.readinessChecks().entrySet()) {
      boolean ok;
      try {
        ok = check.getValue().getAsBoolean();
      } catch (RuntimeException e) {
        LOG.warn("readiness: check '{}' failed: {}", check.getKey(), e.toString());
        ok = false;
      }
      checks.put(check.getKey(), ok ? "UP" : "DOWN");
      up &= ok;
    }
    n.put("status", up ? "UP" : "DOWN");
    Responses.json(c, up ? 200 : 503, n);
  }

  // ---------------------------------------------------------------- pipelines

  private static String name(Context c) {
    return c.pathParam("name");
  }

  private Optional<PipelineStore> pipelineStore() {
    return sluice.store().pipelines();
  }

  private PipelineStore requirePipelineStore() {
    return pipelineStore().orElseThrow(() -> new ApiProblem(501, "store-capability-missing",
        "The store keeps no pipeline documents", sluice.store() + " keeps no pipeline documents: use a store"
            + " that does (jdbc, memory) to manage pipelines through the API"));
  }

  private void listPipelines(Context c) {
    Map<String, ObjectNode> items = new TreeMap<>();
    for (String name : sluice.pipelineNames()) {
      ObjectNode n = items.computeIfAbsent(name, k -> pipelineSkeleton(k));
      n.put("defined", true);
    }
    pipelineStore().ifPresent(ps -> ps.list(ConfigDocument.Kind.PIPELINE).forEach(d -> {
      ObjectNode n = items.computeIfAbsent(d.name(), k -> pipelineSkeleton(k));
      n.put("stored", true);
      n.put("version", d.version());
      n.put("updatedAt", d.updatedAt().toString());
    }));
    ArrayNode list = F.arrayNode();
    items.forEach((name, n) -> {
      List<RunRecord> last = sluice.store().runs().list(name, 1);
      if (!last.isEmpty()) {
        n.set("lastRun", runSummary(last.get(0)));
      }
      list.add(n);
    });
    ObjectNode body = F.objectNode();
    body.set("items", list);
    Responses.json(c, 200, body);
  }

  private static ObjectNode pipelineSkeleton(String name) {
    ObjectNode n = F.objectNode();
    n.put("name", name);
    n.put("defined", false);
    n.put("stored", false);
    return n;
  }

  private void getPipeline(Context c) {
    String name = name(c);
    Pipeline defined = sluice.definition().pipelines().get(name);
    Optional<ConfigDocument> doc = pipelineStore().flatMap(ps -> ps.get(ConfigDocument.Kind.PIPELINE, name));
    if (defined == null && doc.isEmpty()) {
      throw unknownPipeline(name);
    }
    ObjectNode n = pipelineSkeleton(name);
    if (defined != null) {
      n.put("defined", true);
      n.set("definition", describe(defined));
    }
    doc.ifPresent(d -> {
      n.put("stored", true);
      n.put("version", d.version());
      n.put("updatedAt", d.updatedAt().toString());
      n.set("spec", mask(d.spec()));
      c.header("ETag", etag(d.version()));
    });
    Responses.json(c, 200, n);
  }

  private ObjectNode describe(Pipeline p) {
    ObjectNode n = F.objectNode();
    if (p.description() != null) {
      n.put("description", p.description());
    }
    n.put("source", p.source().type());
    ArrayNode rules = n.putArray("rules");
    for (RoutingRule r : p.rules()) {
      ObjectNode rule = rules.addObject();
      rule.put("name", r.name());
      if (r.expression() != null) {
        rule.put("when", r.expression());
      }
      rule.put("priority", r.priority());
      r.targets().forEach(rule.putArray("to")::add);
      rule.put("stop", r.stop());
    }
    p.otherwise().forEach(n.putArray("otherwise")::add);
    p.destinations().forEach(n.putArray("destinations")::add);
    ArrayNode triggers = n.putArray("triggers");
    for (TriggerDefinition t : p.triggers()) {
      triggers.add(t.describe());
    }
    n.put("overlap", p.overlap().label());
    return n;
  }

  /** A create: {@code {"name": ..., "spec": {...}}}; 201 with ETag and Location. */
  private void createPipeline(Context c) {
    Bodies.CreatePipeline body = JsonBodies.read(c, Bodies.CreatePipeline.class);
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      throw ApiProblem.invalidBody("/name: a pipeline name is 1-128 letters, digits, '_', '.' or '-' starting with a"
          + " letter or digit, got " + (body.name() == null ? "nothing" : "'" + body.name() + "'"));
    }
    if (body.spec() == null) {
      throw ApiProblem.invalidBody("/spec: required, the pipeline as in the configuration file");
    }
    PipelineStore ps = requirePipelineStore();
    requireValid(body.name(), body.spec());
    ConfigDocument d;
    try {
      d = ps.put(ConfigDocument.Kind.PIPELINE, body.name(), body.spec(), 0);
    } catch (StaleVersionException e) {
      throw ApiProblem.conflict("pipeline '" + body.name() + "' already exists: update it with PUT and If-Match");
    }
    c.header("ETag", etag(d.version()));
    c.header("Location", "/api/v1/pipelines/" + d.name());
    Responses.json(c, 201, document(d));
  }

  private void updatePipeline(Context c) {
    String name = name(c);
    Bodies.UpdatePipeline body = JsonBodies.read(c, Bodies.UpdatePipeline.class);
    if (body.spec() == null) {
      throw ApiProblem.invalidBody("/spec: required, the pipeline as in the configuration file");
    }
    PipelineStore ps = requirePipelineStore();
    long expected = ifMatch(c, "update pipeline '" + name + "'");
    ConfigDocument current = ps.get(ConfigDocument.Kind.PIPELINE, name).orElseThrow(() -> unknownPipeline(name));
    if (current.version() != expected) {
      throw stale(name, expected, current.version());
    }
    ObjectNode spec = unmask(body.spec(), current.spec());
    requireValid(name, spec);
    ConfigDocument d;
    try {
      d = ps.put(ConfigDocument.Kind.PIPELINE, name, spec, expected);
    } catch (StaleVersionException e) {
      throw ApiProblem.preconditionFailed(e.getMessage());
    }
    c.header("ETag", etag(d.version()));
    Responses.json(c, 200, document(d));
  }

  private void deletePipeline(Context c) {
    String name = name(c);
    PipelineStore ps = requirePipelineStore();
    long expected = ifMatch(c, "delete pipeline '" + name + "'");
    ConfigDocument current = ps.get(ConfigDocument.Kind.PIPELINE, name).orElseThrow(() -> unknownPipeline(name));
    if (current.version() != expected) {
      throw stale(name, expected, current.version());
    }
    ps.delete(ConfigDocument.Kind.PIPELINE, name);
    c.status(204);
  }

  private void validatePipeline(Context c) {
    Bodies.CreatePipeline body = JsonBodies.read(c, Bodies.CreatePipeline.class);
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      throw ApiProblem.invalidBody("/name: a pipeline name is 1-128 letters, digits, '_', '.' or '-', got "
          + (body.name() == null ? "nothing" : "'" + body.name() + "'"));
    }
    if (body.spec() == null) {
      throw ApiProblem.invalidBody("/spec: required, the pipeline as in the configuration file");
    }
    Responses.json(c, 200, validation(validatePipelineSpec(body.name(), body.spec())));
  }

  private void validateConfig(Context c) {
    String type = Optional.ofNullable(c.contentType()).orElse("").split(";")[0].trim().toLowerCase(Locale.ROOT);
    if (!Set.of("application/yaml", "application/x-yaml", "text/yaml", "application/json", "text/plain").contains(type)) {
      throw new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
          "send the configuration file's text as application/yaml or application/json");
    }
    String file = Optional.ofNullable(c.queryParam("file")).orElse(type.endsWith("json") ? "sluice.json" : "sluice.yaml");
    if (!file.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw ApiProblem.badRequest("file: a file name is 1-128 letters, digits, '_', '.' or '-', got '" + file + "'");
    }
    String text = new String(c.bodyAsBytes(), StandardCharsets.UTF_8);
    Responses.json(c, 200, validation(validator.validateText(file, text)));
  }

  private static ObjectNode validation(List<ConfigProblem> problems) {
    ObjectNode n = F.objectNode();
    n.put("valid", problems.isEmpty());
    n.set("problems", PipelineValidator.toJson(problems));
    return n;
  }

  private List<ConfigProblem> validatePipelineSpec(String name, ObjectNode spec) {
    ObjectNode destinations = F.objectNode();
    // Destinations this instance defines: their options are not needed to check references.
    sluice.definition().destinations().keySet().forEach(d -> destinations.putObject(d).put("type", "log"));
    pipelineStore().ifPresent(ps -> ps.list(ConfigDocument.Kind.DESTINATION)
        .forEach(d -> destinations.set(d.name(), d.spec())));
    return validator.validatePipeline(name, spec, destinations);
  }

  private void requireValid(String name, ObjectNode spec) {
    List<ConfigProblem> problems = validatePipelineSpec(name, spec);
    if (!problems.isEmpty()) {
      throw new ApiProblem(422, "invalid-pipeline", "The pipeline is not valid",
          problems.size() + " problem(s) in pipeline '" + name + "', first: " + problems.get(0),
          n -> n.set("problems", PipelineValidator.toJson(problems)), Map.of());
    }
  }

  private static ObjectNode document(ConfigDocument d) {
    ObjectNode n = F.objectNode();
    n.put("name", d.name());
    n.put("version", d.version());
    n.put("updatedAt", d.updatedAt().toString());
    n.set("spec", mask(d.spec()));
    return n;
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  /** The version an {@code If-Match} names; 428 when missing, 412 when it is no version of ours. */
  private static long ifMatch(Context c, String what) {
    String h = c.header("If-Match");
    if (h == null || h.isBlank()) {
      throw ApiProblem.preconditionRequired("to " + what + ", send If-Match with the ETag you read (GET it first)");
    }
    String v = h.trim();
    if (v.startsWith("W/")) {
      v = v.substring(2);
    }
    v = v.replace("\"", "");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiProblem.preconditionFailed("If-Match " + h.trim() + " is not an ETag this server gave out");
    }
  }

  private static ApiProblem stale(String name, long expected, long actual) {
    return ApiProblem.preconditionFailed("pipeline '" + name + "' is at version " + actual + ", not " + expected
        + ": it was changed since you read it; GET it again and retry");
  }

  private ApiProblem unknownPipeline(String name) {
    return new ApiProblem(404, "unknown-pipeline", "Unknown pipeline", "no pipeline is named '" + name + "'");
  }

  /** The spec with the values of secret-looking keys masked (use {@code ${secret:…}} references). */
  static ObjectNode mask(ObjectNode spec) {
    ObjectNode copy = spec.deepCopy();
    maskIn(copy);
    return copy;
  }

  private static void maskIn(JsonNode node) {
    if (node instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String k : names) {
        JsonNode v = o.get(k);
        if (v.isValueNode() && SECRET_KEY.matcher(k).matches() && !(v.isTextual() && v.asText().startsWith("${"))) {
          o.put(k, MASK);
        } else {
          maskIn(v);
        }
      }
    } else if (node instanceof ArrayNode a) {
      a.forEach(Api::maskIn);
    }
  }

  /** A spec sent back after a GET: masked values keep what is stored at the same place. */
  static ObjectNode unmask(ObjectNode sent, ObjectNode stored) {
    ObjectNode copy = sent.deepCopy();
    unmaskIn(copy, stored);
    return copy;
  }

  private static void unmaskIn(JsonNode sent, JsonNode stored) {
    if (sent instanceof ObjectNode o && stored instanceof ObjectNode s) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      for (String k : names) {
        JsonNode v = o.get(k);
        if (v.isTextual() && v.asText().equals(MASK) && s.has(k)) {
          o.set(k, s.get(k).deepCopy());
        } else {
          unmaskIn(v, s.get(k));
        }
      }
    } else if (sent instanceof ArrayNode a && stored instanceof ArrayNode s) {
      for (int i = 0; i < a.size() && i < s.size(); i++) {
        JsonNode v = a.get(i);
        if (v.isTextual() && v.asText().equals(MASK)) {
          a.set(i, s.get(i).deepCopy());
        } else {
          unmaskIn(v, s.get(i));
        }
      }
    }
  }

  // ---------------------------------------------------------------- preview

  private void preview(Context c) {
    String name = name(c);
    Bodies.Preview body = JsonBodies.read(c, Bodies.Preview.class);
    if (body.records() == null || body.records().isEmpty()) {
      throw ApiProblem.invalidBody("/records: required, an array of 1 to 1000 JSON objects");
    }
    if (body.records().size() > 1000) {
      throw ApiProblem.invalidBody("/records: at most 1000 records, got " + body.records().size());
    }
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < body.records().size(); i++) {
      JsonNode node = body.records().get(i);
      if (!(node instanceof ObjectNode o)) {
        throw ApiProblem.invalidBody("/records/" + i + ": expected a JSON object");
      }
      String key = "record " + (i + 1);
      if (body.keyField() != null) {
        JsonNode k = o.at("/" + body.keyField().replaceFirst("^\\$\\.", "").replace('.', '/'));
        if (k.isMissingNode() || k.isNull()) {
          throw ApiProblem.invalidBody("/records/" + i + ": the key field '" + body.keyField() + "' is missing");
        }
        key = k.asText();
      }
      records.add(Record.of(key, o));
    }
    if (!sluice.pipelineNames().contains(name)) {
      throw unknownPipeline(name);
    }
    List<RecordTrace> traces = sluice.preview(name, records);
    ArrayNode items = F.arrayNode();
    for (RecordTrace t : traces) {
      ObjectNode n = t.toJson();
      n.put("text", t.render());
      items.add(n);
    }
    ObjectNode out = F.objectNode();
    out.put("pipeline", name);
    out.set("traces", items);
    Responses.json(c, 200, out);
  }

  // ---------------------------------------------------------------- checkpoints

  private void getCheckpoint(Context c) {
    String name = requireDefinedOrKnown(name(c));
    Optional<StoredCheckpoint> pos = sluice.store().checkpoints().position(name);
    ObjectNode n = F.objectNode();
    n.put("pipeline", name);
    if (pos.isPresent()) {
      n.set("checkpoint", pos.get().checkpoint().state());
      n.put("version", pos.get().version());
      n.put("runId", pos.get().runId());
      c.header("ETag", etag(pos.get().version()));
    } else {
      n.putNull("checkpoint");
      n.put("version", 0);
      c.header("ETag", etag(0));
    }
    Responses.json(c, 200, n);
  }

  private void resetCheckpoint(Context c) {
    String name = requireDefinedOrKnown(name(c));
    long expected = ifMatch(c, "reset the checkpoint of pipeline '" + name + "'");
    long actual = sluice.store().checkpoints().position(name).map(StoredCheckpoint::version).orElse(0L);
    if (actual != expected) {
      throw ApiProblem.preconditionFailed("the checkpoint of pipeline '" + name + "' is at version " + actual
          + ", not " + expected + ": a run committed since you read it; GET it again and confirm");
    }
    sluice.store().checkpoints().reset(name);
    c.status(204);
  }

  private String requireDefinedOrKnown(String name) {
    if (sluice.pipelineNames().contains(name)) {
      return name;
    }
    if (pipelineStore().flatMap(ps -> ps.get(ConfigDocument.Kind.PIPELINE, name)).isPresent()) {
      return name;
    }
    throw unknownPipeline(name);
  }

  // ---------------------------------------------------------------- runs

  private void triggerRun(Context c) {
    String name = name(c);
    JsonNode parameters = null;
    if (JsonBodies.hasBody(c)) {
      Bodies.Trigger body = JsonBodies.read(c, Bodies.Trigger.class);
      parameters = body.parameters();
    }
    RunHandle h;
    try {
      h = sluice.trigger(name, parameters);
    } catch (UnknownPipelineException e) {
      throw unknownPipeline(name);
    } catch (IllegalStateException e) {
      throw new ApiProblem(503, "shutting-down", "Shutting down", "Sluice is shutting down; no new runs start",
          null, Map.of("Retry-After", "30"));
    }
    ObjectNode n = F.objectNode();
    n.put("id", h.id());
    n.put("pipeline", h.pipeline());
    n.put("status", h.status().name());
    n.put("requestedAt", h.requestedAt().toString());
    c.header("Location", "/api/v1/runs/" + h.id());
    Responses.json(c, 202, n);
  }

  private String runPipeline(Context c) {
    String id = c.pathParam("id");
    Optional<RunHandle> h = sluice.activeRun(id);
    if (h.isPresent()) {
      return h.get().pipeline();
    }
    return sluice.store().runs().find(id).map(RunRecord::pipeline).orElse(null);
  }

  private void listRuns(Context c) {
    String pipeline = c.queryParam("pipeline");
    Set<RunStatus> statuses = new LinkedHashSet<>();
    String statusParam = c.queryParam("status");
    if (statusParam != null && !statusParam.isBlank()) {
      for (String s : statusParam.split(",")) {
        try {
          statuses.add(RunStatus.valueOf(s.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw ApiProblem.badRequest("status: unknown run status '" + s.trim() + "'; expected one or more of "
              + java.util.Arrays.toString(RunStatus.values()) + ", comma-separated");
        }
      }
    }
    Instant since = instant(c, "since");
    Instant until = instant(c, "until");
    int limit = limit(c);
    RunCursor after = RunCursor.parse(c.queryParam("cursor"));
    List<RunRecord> all = new ArrayList<>(sluice.store().runs().list(pipeline, RUN_SCAN));
    all.sort(Comparator.comparing(RunRecord::startedAt).thenComparing(RunRecord::id).reversed());
    List<RunRecord> page = new ArrayList<>();
    boolean more = false;
    for (RunRecord r : all) {
      if (!statuses.isEmpty() && !statuses.contains(r.status())) {
        continue;
      }
      if (since != null && r.startedAt().isBefore(since)) {
        continue;
      }
      if (until != null && !r.startedAt().isBefore(until)) {
        continue;
      }
      if (after != null && !after.before(r)) {
        continue;
      }
      if (page.size() == limit) {
        more = true;
        break;
      }
      page.add(r);
    }
    ArrayNode items = F.arrayNode();
    page.forEach(r -> items.add(runSummary(r)));
    ObjectNode out = F.objectNode();
    out.set("items", items);
    if (more) {
      out.put("nextCursor", RunCursor.of(page.get(page.size() - 1)));
    } else {
      out.putNull("nextCursor");
    }
    Responses.json(c, 200, out);
  }

  private static Instant instant(Context c, String param) {
    String v = c.queryParam(param);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(v.trim());
    } catch (DateTimeParseException e) {
      throw ApiProblem.badRequest(param + ": expected an ISO-8601 instant such as 2026-01-31T12:00:00Z, got '" + v + "'");
    }
  }

  private static int limit(Context c) {
    String v = c.queryParam("limit");
    if (v == null || v.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < 1 || n > MAX_LIMIT) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiProblem.badRequest("limit: expected a whole number from 1 to " + MAX_LIMIT + ", got '" + v + "'");
    }
  }

  private static ObjectNode runSummary(RunRecord r) {
    ObjectNode n = F.objectNode();
    n.put("id", r.id());
    n.put("pipeline", r.pipeline());
    n.put("trigger", r.trigger());
    n.put("status", r.status().name());
    n.put("startedAt", r.startedAt().toString());
    if (r.finishedAt() != null) {
      n.put("finishedAt", r.finishedAt().toString());
    }
    n.put("recordsRead", r.recordsRead());
    n.put("recordsDelivered", r.recordsDelivered());
    n.put("recordsDeadLettered", r.recordsDeadLettered());
    if (r.error() != null) {
      n.put("error", r.error());
    }
    return n;
  }

  private ObjectNode runDetail(String id) {
    Optional<RunHandle> h = sluice.activeRun(id);
    Optional<RunRecord> stored = sluice.store().runs().find(id);
    ObjectNode n;
    if (stored.isPresent()) {
      n = runSummary(stored.get());
      ObjectNode details = stored.get().details();
      details.remove("checkpoint"); // the connector's state is not the API's business; see /checkpoint
      n.set("counters", details);
    } else if (h.isPresent()) {
      n = F.objectNode();
      n.put("id", id);
      n.put("pipeline", h.get().pipeline());
      n.put("trigger", h.get().trigger());
      n.put("status", h.get().status().name());
      n.put("startedAt", h.get().requestedAt().toString());
      n.put("recordsRead", 0);
      n.put("recordsDelivered", 0);
      n.put("recordsDeadLettered", 0);
      n.set("counters", F.objectNode());
    } else {
      throw new ApiProblem(404, "unknown-run", "Unknown run", "no run has the id '" + id + "'");
    }
    if (h.isPresent() && !h.get().isDone()) {
      n.put("status", h.get().status().name());
      n.set("progress", progress(h.get().progress()));
    }
    return n;
  }

  private static ObjectNode progress(RunProgress p) {
    ObjectNode n = F.objectNode();
    n.put("recordsRead", p.recordsRead());
    n.put("recordsRejected", p.recordsRejected());
    n.put("recordsUnmatched", p.recordsUnmatched());
    n.put("routingErrors", p.routingErrors());
    n.put("delivered", p.delivered());
    n.put("deadLettered", p.deadLettered());
    return n;
  }

  private void getRun(Context c) {
    Responses.json(c, 200, runDetail(c.pathParam("id")));
  }

  private void cancelRun(Context c) {
    String id = c.pathParam("id");
    Optional<RunHandle> h = sluice.activeRun(id);
    if (h.isPresent() && h.get().cancel()) {
      ObjectNode n = F.objectNode();
      n.put("id", id);
      n.put("status", h.get().status().name());
      n.put("cancelRequested", true);
      Responses.json(c, 202, n);
      return;
    }
    Optional<RunRecord> stored = sluice.store().runs().find(id);
    if (stored.isEmpty() && h.isEmpty()) {
      throw new ApiProblem(404, "unknown-run", "Unknown run", "no run has the id '" + id + "'");
    }
    RunStatus status = h.map(RunHandle::status).orElse(stored.map(RunRecord::status).orElse(RunStatus.FAILED));
    if (status.isFinal()) {
      throw new ApiProblem(409, "run-ended", "The run has ended",
          "run '" + id + "' already ended with status " + status + "; nothing to cancel");
    }
    throw new ApiProblem(409, "run-not-here", "The run is not running on this node",
        "run '" + id + "' is " + status + " but not on this node; cancel it on the node that runs it");
  }

  private void runEvents(Context c) throws Exception {
    String id = c.pathParam("id");
    ObjectNode first = runDetail(id); // 404 before the stream starts
    String accept = c.header("Accept");
    if (accept == null || !accept.contains("text/event-stream")) {
      throw new ApiProblem(406, "not-acceptable", "Not acceptable",
          "this route streams Server-Sent Events: send Accept: text/event-stream (EventSource does)");
    }
    Duration interval = options.progressInterval();
    new SseHandler(client -> stream(client, id, first, interval)).handle(c);
  }

  private void stream(SseClient client, String id, ObjectNode first, Duration interval) {
    try {
      client.sendEvent("run", first.toString());
      while (!client.terminated()) {
        Optional<RunHandle> h = sluice.activeRun(id);
        if (h.isEmpty() || h.get().isDone()) {
          break;
        }
        ObjectNode p = progress(h.get().progress());
        p.put("id", id);
        p.put("status", h.get().status().name());
        client.sendEvent("progress", p.toString());
        h.get().await(interval);
      }
      if (!client.terminated()) {
        ObjectNode last;
        try {
          last = runDetail(id);
        } catch (ApiProblem e) {
          last = first;
        }
        client.sendEvent("end", last.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("event stream of run {} ended: {}", id, e.toString());
    } finally {
      client.close();
    }
  }

  // ---------------------------------------------------------------- dead letters

  private String deadLetterPipeline(Context c) {
    long id = deadLetterId(c);
    return sluice.deadLetters().find(id).map(DeadLetter::pipeline).orElse(null);
  }

  private static long deadLetterId(Context c) {
    String v = c.pathParam("id");
    try {
      long id = Long.parseLong(v);
      if (id < 1) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw ApiProblem.badRequest("id: a dead letter id is a positive whole number, got '" + v + "'");
    }
  }

  private void listDeadLetters(Context c) {
    int limit = limit(c);
    long after = 0;
    String cursor = c.queryParam("cursor");
    if (cursor != null && !cursor.isBlank()) {
      try {
        after = Long.parseLong(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badRequest("cursor: not a cursor this server gave out; start again without one");
      }
    }
    DeadLetterQuery q = new DeadLetterQuery(blankToNull(c.queryParam("pipeline")),
        blankToNull(c.queryParam("destination")), after, limit + 1);
    List<DeadLetter> letters = sluice.deadLetters().list(q);
    boolean more = letters.size() > limit;
    if (more) {
      letters = letters.subList(0, limit);
    }
    ArrayNode items = F.arrayNode();
    letters.forEach(d -> items.add(deadLetter(d, false)));
    ObjectNode out = F.objectNode();
    out.set("items", items);
    out.put("total", sluice.deadLetters().count(q.after(0)));
    if (more) {
      out.put("nextCursor", Base64.getUrlEncoder().withoutPadding()
          .encodeToString(Long.toString(letters.get(letters.size() - 1).id()).getBytes(StandardCharsets.UTF_8)));
    } else {
      out.putNull("nextCursor");
    }
    Responses.json(c, 200, out);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static ObjectNode deadLetter(DeadLetter d, boolean withRecords) {
    ObjectNode n = F.objectNode();
    n.put("id", d.id());
    n.put("pipeline", d.pipeline());
    n.put("destination", d.destination());
    n.put("runId", d.runId());
    n.put("recordKey", d.recordKey());
    n.put("reason", d.reason());
    n.put("attempts", d.attempts());
    n.put("firstFailedAt", d.firstFailedAt().toString());
    n.put("lastFailedAt", d.lastFailedAt().toString());
    if (withRecords) {
      n.set("record", d.record());
      if (d.original() != null) {
        n.set("original", d.original());
      } else {
        n.putNull("original");
      }
    }
    return n;
  }

  private void getDeadLetter(Context c) {
    long id = deadLetterId(c);
    DeadLetter d = sluice.deadLetters().find(id).orElseThrow(() -> unknownDeadLetter(id));
    Responses.json(c, 200, deadLetter(d, true));
  }

  private static ApiProblem unknownDeadLetter(long id) {
    return new ApiProblem(404, "unknown-dead-letter", "Unknown dead letter", "no dead letter has the id " + id);
  }

  private void purgeOne(Context c) {
    long id = deadLetterId(c);
    if (!sluice.deadLetters().purge(id)) {
      throw unknownDeadLetter(id);
    }
    c.status(204);
  }

  private void replayOne(Context c) throws InterruptedException {
    long id = deadLetterId(c);
    if (sluice.deadLetters().find(id).isEmpty()) {
      throw unknownDeadLetter(id);
    }
    Responses.json(c, 200, replay(sluice.deadLetters().replay(id)));
  }

  /** The pipeline a replay or purge selection names, for the route's check; the handler reads the body strictly. */
  private String selectionPipeline(Context c) {
    try {
      JsonNode body = JsonBodies.MAPPER.readTree(c.bodyAsBytes());
      return body != null && body.path("pipeline").isTextual() ? blankToNull(body.path("pipeline").asText()) : null;
    } catch (IOException | RuntimeException e) {
      return null; // malformed: the handler answers 400
    }
  }

  private DeadLetterQuery selection(Context c) {
    Bodies.Selection s = JsonBodies.read(c, Bodies.Selection.class);
    boolean all = Boolean.TRUE.equals(s.all());
    String pipeline = blankToNull(s.pipeline());
    String destination = blankToNull(s.destination());
    if (all && (pipeline != null || destination != null)) {
      throw ApiProblem.invalidBody("/all: either all: true or a pipeline and/or destination, not both");
    }
    if (!all && pipeline == null && destination == null) {
      throw ApiProblem.invalidBody("say which dead letters: {\"all\": true}, or \"pipeline\" and/or \"destination\"");
    }
    return all ? DeadLetterQuery.all() : DeadLetterQuery.of(pipeline, destination);
  }

  private void replaySelection(Context c) throws InterruptedException {
    DeadLetterQuery q = selection(c);
    Authorization.require(c, Permission.DEAD_LETTERS_REPLAY, q.pipeline());
    Responses.json(c, 200, replay(sluice.deadLetters().replay(q)));
  }

  private void purgeSelection(Context c) {
    DeadLetterQuery q = selection(c);
    Authorization.require(c, Permission.DEAD_LETTERS_PURGE, q.pipeline());
    ObjectNode n = F.objectNode();
    n.put("purged", sluice.deadLetters().purge(q));
    Responses.json(c, 200, n);
  }

  private static ObjectNode replay(ReplayReport r) {
    ObjectNode n = F.objectNode();
    n.put("runId", r.runId());
    n.put("selected", r.selected());
    n.put("delivered", r.delivered());
    n.put("failedAgain", r.failedAgain());
    n.put("skipped", r.skipped());
    r.problems().forEach(n.putArray("problems")::add);
    if (r.problems().isEmpty()) {
      n.putArray("problems");
    }
    return n;
  }

  // ---------------------------------------------------------------- catalogue

  private void destinations(Context c) {
    Map<String, List<String>> usedBy = new LinkedHashMap<>();
    sluice.definition().pipelines().values().forEach(p -> p.destinations()
        .forEach(d -> usedBy.computeIfAbsent(d, k -> new ArrayList<>()).add(p.name())));
    ArrayNode items = F.arrayNode();
    sluice.definition().destinations().forEach((name, d) -> {
      ObjectNode n = items.addObject();
      n.put("name", name);
      n.put("type", d.spec().type());
      n.put("source", "definition");
      usedBy.getOrDefault(name, List.of()).forEach(n.putArray("pipelines")::add);
      if (!n.has("pipelines")) {
        n.putArray("pipelines");
      }
    });
    pipelineStore().ifPresent(ps -> ps.list(ConfigDocument.Kind.DESTINATION).forEach(d -> {
      ObjectNode n = items.addObject();
      n.put("name", d.name());
      n.put("type", d.spec().path("type").asText(""));
      n.put("source", "store");
      n.putArray("pipelines");
    }));
    ObjectNode out = F.objectNode();
    out.set("items", items);
    Responses.json(c, 200, out);
  }

  private void connectors(Context c) {
    ArrayNode items = F.arrayNode();
    for (PluginInfo info : sluice.plugins().of(PluginKind.CONNECTOR)) {
      ObjectNode n = items.addObject();
      n.put("type", info.type());
      ArrayNode used = n.putArray("pipelines");
      sluice.definition().pipelines().values().stream()
          .filter(p -> p.source().type().equals(info.type()))
          .forEach(p -> used.add(p.name()));
    }
    ObjectNode out = F.objectNode();
    out.set("items", items);
    Responses.json(c, 200, out);
  }

  private void plugins(Context c) {
    ArrayNode items = F.arrayNode();
    for (PluginInfo info : sluice.plugins().all()) {
      ObjectNode n = items.addObject();
      n.put("kind", info.kind().name().toLowerCase(Locale.ROOT));
      n.put("type", info.type());
      putOrNull(n, "version", info.version());
      putOrNull(n, "location", info.location());
      putOrNull(n, "description", info.description());
    }
    ObjectNode out = F.objectNode();
    out.set("items", items);
    ArrayNode skipped = out.putArray("skipped");
    sluice.plugins().skipped().forEach(skipped::add);
    Responses.json(c, 200, out);
  }

  private static void putOrNull(ObjectNode n, String field, String value) {
    if (value == null) {
      n.putNull(field);
    } else {
      n.put(field, value);
    }
  }

  private void schema(Context c) {
    Responses.json(c, 200, ConfigSchema.build(sluice.plugins()), "application/schema+json");
  }

  // ---------------------------------------------------------------- secrets

  private dev.sluice.auth.Secrets secrets() {
    return options.secrets().orElseThrow(() -> new ApiProblem(501, "secrets-not-configured",
        "Secrets are not managed by this server",
        "this server was started without access to the secrets (secrets.key); manage them with `sluice secret`"));
  }

  private void listSecrets(Context c) {
    dev.sluice.auth.Secrets s = secrets();
    ArrayNode items = F.arrayNode();
    s.names().forEach(name -> items.addObject().put("name", name));
    ObjectNode out = F.objectNode();
    out.set("items", items);
    out.put("keyId", s.keyId());
    Responses.json(c, 200, out);
  }

  private void putSecret(Context c) {
    String name = c.pathParam("name");
    if (!name.matches("[A-Za-z0-9_.-]{1,128}")) {
      throw ApiProblem.badRequest("name: a secret name is 1-128 letters, digits, '_', '.' or '-', got '" + name + "'");
    }
    Bodies.SecretValue body = JsonBodies.read(c, Bodies.SecretValue.class);
    if (body.value() == null || body.value().isEmpty()) {
      throw ApiProblem.invalidBody("/value: required, the secret's value as a non-empty string");
    }
    dev.sluice.auth.Secrets s = secrets();
    boolean existed = s.names().contains(name);
    s.put(name, body.value());
    c.status(existed ? 204 : 201);
    if (!existed) {
      c.header("Location", "/api/v1/secrets/" + name);
    }
  }

  private void deleteSecret(Context c) {
    String name = c.pathParam("name");
    if (!secrets().delete(name)) {
      throw new ApiProblem(404, "unknown-secret", "Unknown secret", "no secret is named '" + name + "'");
    }
    c.status(204);
  }

  // ---------------------------------------------------------------- metrics, webhooks

  private void metrics(Context c) {
    String text = options.metricsScraper().map(s -> s.get()).orElseGet(() -> PrometheusText.render(sluice.meterRegistry()));
    c.status(200);
    c.contentType("text/plain; version=0.0.4; charset=utf-8");
    c.result(text);
  }

  /** Hands a webhook request to Sluice's webhook handler, streaming the body within the path's limit. */
  public void webhook(Context c) throws IOException {
    // The handler's request keys them case-insensitively; a plain map is enough to hand them over.
    Map<String, List<String>> headers = new java.util.HashMap<>();
    var names = c.req().getHeaderNames();
    while (names.hasMoreElements()) {
      String h = names.nextElement();
      headers.put(h, java.util.Collections.list(c.req().getHeaders(h)));
    }
    WebhookResponse r;
    try (InputStream body = c.req().getInputStream()) {
      r = sluice.webhooks().handle(c.method().name(), c.path(), headers, body);
    }
    r.headers().forEach(c::header);
    c.status(r.status());
    c.contentType(WebhookResponse.CONTENT_TYPE);
    c.result(r.bodyBytes());
  }

  /** A position in the run list: after the run with this start time and id (newest first). */
  record RunCursor(Instant startedAt, String id) {
    static String of(RunRecord r) {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((r.startedAt() + "|" + r.id()).getBytes(StandardCharsets.UTF_8));
    }

    static RunCursor parse(String cursor) {
      if (cursor == null || cursor.isBlank()) {
        return null;
      }
      try {
        String s = new String(Base64.getUrlDecoder().decode(cursor.trim()), StandardCharsets.UTF_8);
        int bar = s.indexOf('|');
        return new RunCursor(Instant.parse(s.substring(0, bar)), s.substring(bar + 1));
      } catch (RuntimeException e) {
        throw ApiProblem.badRequest("cursor: not a cursor this server gave out; start again without one");
      }
    }

    /** Whether {@code r} comes after this position, newest first. */
    boolean before(RunRecord r) {
      int byTime = r.startedAt().compareTo(startedAt);
      return byTime < 0 || (byTime == 0 && r.id().compareTo(id) < 0);
    }
  }
}
