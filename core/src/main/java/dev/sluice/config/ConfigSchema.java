package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.delivery.DeliverySettings;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.PluginInfo;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.ProviderRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The JSON Schema (draft 2020-12) of a Sluice configuration file: core's model, with each
 * discovered provider's {@code configSchema()} spliced in for its {@code type}. {@code sluice
 * schema} prints it; {@code docs/schema/sluice.schema.json} keeps the copy for the built-in
 * plugins.
 *
 * <p>Stateless; thread-safe.
 */
public final class ConfigSchema {
  /** The schema's {@code $id}. */
  public static final String ID = "https://sluice.dev/schema/sluice.schema.json";
  static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$";
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ConfigSchema() {}

  /**
   * The schema for the providers in {@code registry}.
   *
   * @param registry the plugin providers whose options the schema includes
   * @return a new JSON Schema (draft 2020-12) object
   */
  public static ObjectNode build(ProviderRegistry registry) {
    ObjectNode s = F.objectNode();
    s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    s.put("$id", ID);
    s.put("title", "Sluice configuration");
    s.put("description", "One or more of these files, merged in order (later wins), configure a Sluice instance.");
    s.put("type", "object");
    ObjectNode props = s.putObject("properties");
    props.set("store", store(registry.of(PluginKind.STORE)));
    props.set("secrets", ConfigSchemas.object()
        .description("How stored secrets (${secret:name}) are decrypted.")
        .optional("key", ConfigSchemas.secret("Master key (any passphrase, or ${env:SLUICE_MASTER_KEY}); stored secrets are AES-256-GCM encrypted with a key derived from it."))
        .build());
    props.set("destinations", mapOf("Named destinations, referenced by rules' 'to'.", ref("destination")));
    props.set("pipelines", mapOf("Named pipelines.", ref("pipeline")));
    props.set("cluster", ConfigSchemas.object()
        .description("Run as one node of a cluster sharing the store's database (PostgreSQL, MySQL, MariaDB):"
            + " each cron time and each requested run executes once across nodes.")
        .optional("enabled", ConfigSchemas.bool("Join the cluster.", false))
        .optional("node", ConfigSchemas.string("This node's name in the shared tables; default sluice-<random>."))
        .optional("threads", ConfigSchemas.integer("Runs this node executes at once.", 4, 1))
        .optional("pollingInterval", ConfigSchemas.duration("How often the shared table is polled for due work.", "1s"))
        .optional("heartbeat", ConfigSchemas.duration("How often a node marks its running work alive.", "10s"))
        .optional("missedHeartbeats", ConfigSchemas.integer("Missed heartbeats after which a node is dead and its runs restart elsewhere.", 6, 1))
        .build());
    props.set("server", server());
    props.set("auth", auth(registry.of(PluginKind.AUTHENTICATOR)));
    s.put("additionalProperties", false);

    ObjectNode defs = s.putObject("$defs");
    defs.set("destination", plugin("A destination.", registry.of(PluginKind.DESTINATION), deliveryExtras()));
    defs.set("connector", plugin("A pipeline's source.", registry.of(PluginKind.CONNECTOR), F.objectNode()));
    defs.set("pipeline", pipeline());
    defs.set("rule", rule());
    defs.set("condition", condition());
    defs.set("transform", transform());
    defs.set("trigger", trigger(registry.of(PluginKind.TRIGGER)));
    defs.set("delivery", delivery());
    defs.set("destinationList", F.objectNode().set("oneOf", F.arrayNode()
        .add(F.objectNode().put("type", "string"))
        .add(F.objectNode().put("type", "array").set("items", F.objectNode().put("type", "string")))));
    return s;
  }

  private static ObjectNode ref(String def) {
    return F.objectNode().put("$ref", "#/$defs/" + def);
  }

  private static ObjectNode mapOf(String description, ObjectNode valueSchema) {
    ObjectNode n = F.objectNode().put("type", "object").put("description", description);
    n.putObject("propertyNames").put("pattern", NAME_PATTERN);
    n.set("additionalProperties", valueSchema);
    return n;
  }

  private static ObjectNode store(Collection<PluginInfo> providers) {
    ObjectNode n = F.objectNode().put("type", "object")
        .put("description", "Where state lives. Default: the embedded H2 file ./data/sluice when the jdbc module is"
            + " present, else memory. 'jdbc: <url>' is short for 'type: jdbc, url: <url>'.");
    ObjectNode props = n.putObject("properties");
    props.set("type", ConfigSchemas.enumOf("Store type.", types("memory", providers)));
    props.set("jdbc", ConfigSchemas.string("Shorthand: a JDBC URL for the jdbc store."));
    addPluginBranches(n, providers, List.of("type", "jdbc"));
    if (providers.isEmpty()) {
      n.put("additionalProperties", false);
    }
    return n;
  }

  private static String[] types(String builtIn, Collection<PluginInfo> providers) {
    List<String> out = new ArrayList<>();
    if (builtIn != null) {
      out.add(builtIn);
    }
    providers.forEach(p -> out.add(p.type()));
    return out.toArray(new String[0]);
  }

  /** A plugin instance: {@code type} plus that provider's options (and extras such as delivery). */
  private static ObjectNode plugin(String description, Collection<PluginInfo> providers, ObjectNode extras) {
    ObjectNode n = F.objectNode().put("type", "object").put("description", description);
    n.putArray("required").add("type");
    ObjectNode props = n.putObject("properties");
    props.set("type", ConfigSchemas.enumOf("Plugin type.", types(null, providers)));
    extras.properties().forEach(e -> props.set(e.getKey(), e.getValue()));
    List<String> shared = new ArrayList<>();
    shared.add("type");
    extras.fieldNames().forEachRemaining(shared::add);
    addPluginBranches(n, providers, shared);
    return n;
  }

  /**
   * One {@code if type == X then <X's options>} branch per provider, so that every type gets its
   * own options checked and unknown keys reported.
   */
  private static void addPluginBranches(ObjectNode n, Collection<PluginInfo> providers, List<String> shared) {
    if (providers.isEmpty()) {
      return;
    }
    ArrayNode allOf = n.putArray("allOf");
    for (PluginInfo p : providers) {
      ObjectNode branch = allOf.addObject();
      ObjectNode cond = branch.putObject("if");
      cond.putArray("required").add("type");
      cond.putObject("properties").putObject("type").put("const", p.type());
      ObjectNode then = p.provider().configSchema().deepCopy();
      ObjectNode thenProps = then.has("properties") ? (ObjectNode) then.get("properties") : then.putObject("properties");
      for (String key : shared) {
        thenProps.set(key, F.objectNode()); // described at the top; allowed here
      }
      if (!then.has("additionalProperties")) {
        then.put("additionalProperties", false);
      }
      branch.set("then", then);
    }
  }

  private static ObjectNode deliveryExtras() {
    ObjectNode extras = F.objectNode();
    extras.set("delivery", ref("delivery"));
    return extras;
  }

  private static ObjectNode delivery() {
    return ConfigSchemas.object()
        .description("How records are batched and retried on their way to this destination.")
        .optional("batchSize", ConfigSchemas.integer("Records per delivery.", 500, 1))
        .optional("linger", ConfigSchemas.duration("How long a partial batch waits for more records.", "200ms"))
        .optional("bufferCapacity", ConfigSchemas.integer("Records waiting for this destination before the source is held back (0: twice batchSize).", 0, 0))
        .optional("bufferBytes", ConfigSchemas.integer("Bytes (estimated JSON size) of records waiting for this destination before the source is held back; a bigger record passes alone.", DeliverySettings.DEFAULT_BUFFER_BYTES, 1))
        .optional("maxAttempts", ConfigSchemas.integer("Delivery attempts per batch before its records become dead letters.", 5, 1))
        .optional("initialBackoff", ConfigSchemas.duration("First wait between attempts (exponential, full jitter).", "200ms"))
        .optional("maxBackoff", ConfigSchemas.duration("Longest wait between attempts.", "30s"))
        .optional("maxBatchBytes", ConfigSchemas.integer("Bytes of record data per delivery, at most (0: no limit).", 0, 0))
        .optional("concurrency", ConfigSchemas.integer("Batches of one run in flight at once.", 1, 1))
        .optional("maxElapsedTime", ConfigSchemas.duration(
            "Time from a batch's first attempt, waits included, after which what is left becomes dead letters.", "10m"))
        .optional("deliveryTimeout", ConfigSchemas.duration(
            "Hard deadline of one batch's delivery (default maxElapsedTime + 1m): past it the delivery counts as hung, delivery to the destination stops and the run fails; nothing undelivered is checkpointed.", "11m"))
        .optional("circuitBreaker", ConfigSchemas.object()
            .description("Opens after consecutive failed attempts; while open, deliveries wait.")
            .optional("enabled", ConfigSchemas.bool("Whether the destination has a circuit breaker.", true))
            .optional("failures", ConfigSchemas.integer("Consecutive failed attempts that open it.", 5, 1))
            .optional("openFor", ConfigSchemas.duration("How long it stays open before a probe.", "30s"))
            .optional("probeTimeout", ConfigSchemas.duration("A probe whose outcome is not in by then counts as failed: the breaker opens again.", "60s"))
            .build())
        .optional("rateLimit", ConfigSchemas.object()
            .description("At most `permits` delivery attempts per `period`.")
            .required("permits", ConfigSchemas.integer("Attempts per period.", 1, 1))
            .optional("period", ConfigSchemas.duration("The period.", "1s"))
            .build())
        .build();
  }

  private static ObjectNode pipeline() {
    ObjectNode triggers = F.objectNode().put("type", "array").put("description", "What starts runs.");
    triggers.set("items", ref("trigger"));
    ObjectNode rules = F.objectNode().put("type", "array").put("description", "Rules, by priority then in order.");
    rules.set("items", ref("rule"));
    return ConfigSchemas.object()
        .description("A pipeline: one source, its rules, its triggers.")
        .required("source", ref("connector"))
        .optional("description", ConfigSchemas.string("What the pipeline is for."))
        .optional("triggers", triggers)
        .optional("rules", rules)
        .optional("otherwise", ref("destinationList").put("description", "Destinations of records no rule matched."))
        .optional("unmatched", ConfigSchemas.enumOf("Records no rule matched, without otherwise: drop (counted) or dead-letter. Default drop.", "drop", "dead-letter"))
        .optional("onError", ConfigSchemas.enumOf("A condition or transform failing on a record: dead-letter it, or fail the run. Default dead-letter.", "dead-letter", "fail"))
        .optional("queueCapacity", ConfigSchemas.integer("Records buffered between reading and routing.", 1024, 1))
        .optional("queueBytes", ConfigSchemas.integer("Bytes (estimated JSON size) of records buffered between reading and routing; a bigger record passes alone.", Pipeline.DEFAULT_QUEUE_BYTES, 1))
        .optional("overlap", ConfigSchemas.enumOf("A run is asked for while one runs: skip, queue (at most one pending) or allow. Default skip.", "skip", "queue", "allow"))
        .optional("maxConcurrentRuns", ConfigSchemas.integer("With overlap allow: triggered runs in progress at once, at most; more are skipped.", Pipeline.DEFAULT_MAX_CONCURRENT_RUNS, 1))
        .build();
  }

  private static ObjectNode rule() {
    ObjectNode transform = F.objectNode().put("type", "array").put("description", "Transformations, in order.");
    transform.set("items", ref("transform"));
    return ConfigSchemas.object()
        .description("A rule: when the condition holds, transform and send to destinations.")
        .optional("name", F.objectNode().put("type", "string").put("pattern", NAME_PATTERN).put("description", "Unique in the pipeline; default rule-<n>."))
        .optional("when", ref("condition"))
        .optional("transform", transform)
        .required("to", ref("destinationList").put("description", "Destinations (may be empty for a rule that only stops)."))
        .optional("priority", F.objectNode().put("type", "integer").put("default", 0).put("description", "Lower runs first; ties keep the written order."))
        .optional("stop", ConfigSchemas.bool("Later rules are not tried for records this rule matched.", false))
        .build();
  }

  private static ObjectNode condition() {
    ObjectNode n = F.objectNode();
    n.putArray("type").add("string").add("boolean").add("object");
    n.put("description", "An expression such as \"$.amount > 1000 && $.country in ['DE','AT']\", or all:/any:/not:/rule:.");
    n.put("minProperties", 1).put("maxProperties", 1);
    ObjectNode props = n.putObject("properties");
    ObjectNode list = F.objectNode().put("type", "array").put("minItems", 1);
    list.set("items", ref("condition"));
    props.set("all", list.deepCopy().put("description", "Every condition holds."));
    props.set("any", list.deepCopy().put("description", "At least one condition holds."));
    props.set("not", ref("condition").put("description", "The condition does not hold."));
    ObjectNode rule = F.objectNode().put("description", "A RuleProvider plugin: its type, or type and options.");
    rule.putArray("type").add("string").add("object");
    rule.putArray("required").add("type");
    props.set("rule", rule);
    n.put("additionalProperties", false);
    return n;
  }

  private static ObjectNode transform() {
    ObjectNode pathList = F.objectNode().put("description", "A path or a list of paths.");
    pathList.putArray("type").add("string").add("array");
    pathList.putObject("items").put("type", "string");
    ObjectNode path = ConfigSchemas.string("A definite JSONPath such as $.customer.email.");
    ObjectNode anyValue = F.objectNode().put("description", "Any JSON value; a string with {{$.path}} placeholders is a template.");
    ObjectNode n = F.objectNode().put("type", "object").put("minProperties", 1).put("maxProperties", 1)
        .put("description", "One step: an object with one key, the operation.");
    ObjectNode p = n.putObject("properties");
    p.set("set", ConfigSchemas.object().required("path", path).required("value", anyValue).build());
    p.set("default", ConfigSchemas.object().required("path", path).required("value", anyValue).build());
    ObjectNode fromTo = ConfigSchemas.object().required("from", path).required("to", path).build();
    p.set("copy", fromTo);
    p.set("rename", fromTo);
    p.set("move", fromTo);
    p.set("remove", pathList);
    p.set("keep", pathList);
    p.set("lower", pathList);
    p.set("upper", pathList);
    p.set("trim", pathList);
    p.set("cast", ConfigSchemas.object().required("path", path)
        .required("to", ConfigSchemas.enumOf("Target type.", "string", "number", "boolean", "timestamp"))
        .optional("unit", ConfigSchemas.enumOf("Epoch unit of numeric timestamps.", "millis", "seconds")).build());
    p.set("date", ConfigSchemas.object().required("path", path)
        .optional("from", ConfigSchemas.string("iso, epoch-millis, epoch-seconds, date or a pattern.", "iso"))
        .optional("to", ConfigSchemas.string("iso, epoch-millis, epoch-seconds, date or a pattern.", "iso"))
        .optional("zone", ConfigSchemas.string("Zone of inputs without an offset.", "UTC"))
        .optional("toZone", ConfigSchemas.string("Zone to write local times in."))
        .build());
    ObjectNode flatten = ConfigSchemas.object()
        .optional("path", ConfigSchemas.string("The object to (un)flatten.", "$"))
        .optional("separator", ConfigSchemas.string("Key separator.", "."))
        .optional("arrays", ConfigSchemas.bool("Flatten arrays by index too.", false)).build();
    flatten.putArray("type").add("object").add("boolean");
    p.set("flatten", flatten);
    p.set("unflatten", flatten);
    ObjectNode split = F.objectNode().put("description", "A path to an array, or {path: ...}.");
    split.putArray("type").add("string").add("object");
    p.set("split", split);
    p.set("filter", ConfigSchemas.object().required("path", path)
        .required("when", ConfigSchemas.string("Condition on each item; @ is the item.")).build());
    ObjectNode custom = F.objectNode().put("description", "A RuleProvider plugin step: its type, or type and options.");
    custom.putArray("type").add("string").add("object");
    p.set("custom", custom);
    n.put("additionalProperties", false);
    return n;
  }

  private static ObjectNode trigger(Collection<PluginInfo> providers) {
    ObjectNode n = F.objectNode().put("type", "object").put("description",
        "What starts runs: cron: \"*/15 * * * *\" (with zone, syntax, dst, misfire, jitter), webhook: /hooks/x"
            + " (with signature), or type: <trigger plugin>.");
    n.putObject("if").putArray("required").add("type");
    n.set("then", plugin("A trigger plugin.", providers, F.objectNode()));
    ObjectNode signature = ConfigSchemas.object()
        .description("How requests prove they come from the sender. Default: none (accept any).")
        .required("scheme", ConfigSchemas.enumOf("Signature scheme.", "none", "hmac-sha256", "github", "stripe", "slack",
            "standard"))
        .optional("secret", ConfigSchemas.secret("Shared signing secret, e.g. ${secret:hubspot_webhook}; standard: whsec_<base64>."))
        .optional("header", ConfigSchemas.string("hmac-sha256: the header carrying the MAC.", "X-Signature"))
        .optional("encoding", ConfigSchemas.enumOf("hmac-sha256: how the MAC is written.", "hex", "base64"))
        .optional("prefix", ConfigSchemas.string("hmac-sha256: text before the MAC, e.g. sha256=."))
        .optional("timestampHeader", ConfigSchemas.string("hmac-sha256: header with the Unix time; then <timestamp>.<body> is signed."))
        .optional("tolerance", ConfigSchemas.duration("Accepted clock skew for signed timestamps.", "5m"))
        .optional("deliveryIdHeader", ConfigSchemas.string(
            "Header with a delivery id: an honest retry with it counts as a duplicate (replays are refused by signed content)."))
        .optional("deliveryIdField", ConfigSchemas.string("Body field (JSON pointer or $.path) with a delivery id."))
        .build();
    ObjectNode builtIn = ConfigSchemas.object()
        .optional("cron", ConfigSchemas.string("A cron expression, e.g. */15 * * * * (or @hourly, @daily, ...)."))
        .optional("zone", ConfigSchemas.string("Time zone of the cron expression.", "UTC"))
        .optional("syntax", ConfigSchemas.enumOf("Cron syntax. Default unix (5 fields).", "unix", "quartz", "spring"))
        .optional("dst", ConfigSchemas.enumOf("A time inside a skipped DST hour: shift to the next valid instant (default) or skip.", "shift", "skip"))
        .optional("misfire", ConfigSchemas.enumOf("Fire times missed while down: fire-once-now (default) or skip.", "fire-once-now", "skip"))
        .optional("misfireThreshold", ConfigSchemas.duration("Lateness from which a fire time counts as missed.", "1m"))
        .optional("jitter", ConfigSchemas.duration("Random delay added to each fire time.", "0s"))
        .optional("webhook", ConfigSchemas.string("Path the webhook is served at, e.g. /hooks/hubspot."))
        .optional("signature", signature)
        .optional("maxBodyBytes", ConfigSchemas.integer("Largest accepted body.", 1024 * 1024, 1))
        .optional("replayWindow", ConfigSchemas.duration(
            "How long deliveries are remembered against replays (at least twice the tolerance).", "24h"))
        .optional("replayCapacity", ConfigSchemas.integer(
            "How many deliveries are remembered; when full, new ones get 503 until old ones expire.",
            WebhookTrigger.DEFAULT_REPLAY_CAPACITY, 1))
        .build();
    builtIn.put("minProperties", 1);
    n.set("else", builtIn);
    return n;
  }

  private static ObjectNode server() {
    return ConfigSchemas.object()
        .description("The HTTP server (REST API, webhooks, dashboard).")
        .optional("host", ConfigSchemas.string("Interface to listen on.", "0.0.0.0"))
        .optional("port", ConfigSchemas.integer("Port to listen on.", 8080, 0))
        .optional("publicUrl", ConfigSchemas.string("The URL browsers reach the server at (behind a proxy: the"
            + " proxy's), e.g. https://sluice.example.com; browser logins (\"Sign in with …\") build their callback"
            + " URL from it, never from the request's Host header. Required for them unless host is loopback."))
        .optional("tls", tls())
        .build();
  }

  /** A key store and its password, or PEM certificate chain and key files: one or the other. */
  private static ObjectNode tls() {
    ObjectNode tls = ConfigSchemas.object()
        .description("Serve HTTPS: with the certificate and key of a key store (keyStore and password: PKCS #12,"
            + " or JKS by a .jks name), or of PEM files (certificate and privateKey, e.g. certbot's fullchain.pem"
            + " and privkey.pem, cert-manager's tls.crt and tls.key). Paths are relative to the configuration file.")
        .optional("keyStore", ConfigSchemas.string("The key store file."))
        .optional("password", ConfigSchemas.string("Its password; use ${secret:…} or ${env:…}."))
        .optional("certificate", ConfigSchemas.string("PEM certificate chain: the server's certificate first,"
            + " then intermediates."))
        .optional("privateKey", ConfigSchemas.string("PEM private key of the first certificate, unencrypted PKCS #8"
            + " (RSA, EC, Ed25519) or PKCS #1 (RSA)."))
        .build();
    ArrayNode oneOf = tls.putArray("oneOf");
    either(oneOf.addObject(), List.of("keyStore", "password"), List.of("certificate", "privateKey"));
    either(oneOf.addObject(), List.of("certificate", "privateKey"), List.of("keyStore", "password"));
    return tls;
  }

  /** {@code these} are all required and none of {@code notThese} may be given. */
  private static void either(ObjectNode branch, List<String> these, List<String> notThese) {
    these.forEach(branch.putArray("required")::add);
    ArrayNode anyOf = branch.putObject("not").putArray("anyOf");
    notThese.forEach(k -> anyOf.addObject().putArray("required").add(k));
  }

  private static ObjectNode auth(Collection<PluginInfo> providers) {
    ObjectNode items = plugin("An authenticator.", providers, F.objectNode());
    ObjectNode list = F.objectNode().put("type", "array").put("description", "Asked in order.");
    list.set("items", items);
    return ConfigSchemas.object()
        .description("Who may use the REST API.")
        .optional("authenticators", list)
        .build();
  }

  /** Every property name the schema node at {@code pointer} allows, for "did you mean". */
  static List<String> propertyNames(JsonNode schema, String pointer) {
    List<String> out = new ArrayList<>();
    JsonNode props = schema.at(pointer).path("properties");
    props.fieldNames().forEachRemaining(out::add);
    return out;
  }
}
