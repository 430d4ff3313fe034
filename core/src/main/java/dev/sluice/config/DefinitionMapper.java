package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceDefinition;
import dev.sluice.delivery.DeliverySettings;
import dev.sluice.pipeline.DestinationDefinition;
import dev.sluice.pipeline.ErrorPolicy;
import dev.sluice.pipeline.OverlapPolicy;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.pipeline.PipelineBuilder;
import dev.sluice.pipeline.PluginSpec;
import dev.sluice.pipeline.UnmatchedPolicy;
import dev.sluice.routing.ConditionSyntaxException;
import dev.sluice.schedule.CronSyntax;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.DstPolicy;
import dev.sluice.schedule.InvalidCronException;
import dev.sluice.schedule.MisfirePolicy;
import dev.sluice.schedule.PluginTrigger;
import dev.sluice.schedule.TriggerDefinition;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a validated configuration tree into a {@link SluiceDefinition}, through the same builders
 * the Java API uses, so a file and the equivalent builder calls give equal definitions. Semantic
 * problems the schema can't express (a route to an undefined destination, a condition that does
 * not compile, a duplicate rule name) become {@link ConfigProblem}s; mapping goes on so that all
 * of them are reported at once.
 */
final class DefinitionMapper {
  private final ObjectNode config;
  private final LocatedTree located;
  private final List<ConfigProblem> problems;
  private final Set<String> skip; // pointers with schema problems: what contains them is not mapped

  DefinitionMapper(ObjectNode config, LocatedTree located, List<ConfigProblem> problems, Set<String> skip) {
    this.config = config;
    this.located = located;
    this.problems = problems;
    this.skip = skip;
  }

  SluiceDefinition map() {
    Map<String, DestinationDefinition> destinations = new LinkedHashMap<>();
    JsonNode ds = config.path("destinations");
    for (Map.Entry<String, JsonNode> e : ds.properties()) {
      String pointer = "/destinations/" + LocatedTree.segment(e.getKey());
      if (skipped(pointer) || !e.getKey().matches(ConfigSchema.NAME_PATTERN)) {
        continue;
      }
      try {
        destinations.put(e.getKey(), destination(e.getKey(), (ObjectNode) e.getValue(), pointer));
      } catch (Problem p) {
        problems.add(Locations.problem(located.values, p.pointer, p.getMessage()));
      }
    }
    Map<String, Pipeline> pipelines = new LinkedHashMap<>();
    JsonNode ps = config.path("pipelines");
    for (Map.Entry<String, JsonNode> e : ps.properties()) {
      String pointer = "/pipelines/" + LocatedTree.segment(e.getKey());
      if (!e.getKey().matches(ConfigSchema.NAME_PATTERN)) {
        continue; // the schema reports the name
      }
      Pipeline p = pipeline(e.getKey(), (ObjectNode) e.getValue(), pointer, ds);
      if (p != null) {
        pipelines.put(e.getKey(), p);
      }
    }
    return new SluiceDefinition(destinations, pipelines);
  }

  /** Whether a schema problem lies at or under {@code pointer}. */
  private boolean skipped(String pointer) {
    for (String s : skip) {
      if (s.equals(pointer) || s.startsWith(pointer + "/")) {
        return true;
      }
    }
    return false;
  }

  private DestinationDefinition destination(String name, ObjectNode node, String pointer) {
    ObjectNode options = node.deepCopy();
    String type = options.remove("type").asText();
    JsonNode delivery = options.remove("delivery");
    DeliverySettings settings = delivery == null ? DeliverySettings.defaults()
        : delivery((ObjectNode) delivery, "destination '" + name + "' delivery", pointer + "/delivery");
    return new DestinationDefinition(name, PluginSpec.of(type, options), settings);
  }

  static DeliverySettings delivery(ObjectNode node, String owner, String pointer) {
    PluginConfig c = new PluginConfig(owner, node);
    DeliverySettings.Builder b = DeliverySettings.builder();
    String field = null;
    try {
      field = "batchSize";
      if (c.has(field)) {
        b.batchSize(c.intValue(field, 500, 1, Integer.MAX_VALUE));
      }
      field = "linger";
      if (c.has(field)) {
        b.linger(c.duration(field, Duration.ZERO));
      }
      field = "bufferCapacity";
      if (c.has(field)) {
        b.bufferCapacity(c.intValue(field, 0, 0, Integer.MAX_VALUE));
      }
      field = "bufferBytes";
      if (c.has(field)) {
        b.bufferBytes(c.longValue(field, DeliverySettings.DEFAULT_BUFFER_BYTES, 1, Long.MAX_VALUE));
      }
      field = "maxAttempts";
      if (c.has(field)) {
        b.maxAttempts(c.intValue(field, 5, 1, Integer.MAX_VALUE));
      }
      field = "initialBackoff";
      if (c.has(field)) {
        b.initialBackoff(c.duration(field, Duration.ZERO));
      }
      field = "maxBackoff";
      if (c.has(field)) {
        b.maxBackoff(c.duration(field, Duration.ZERO));
      }
      field = "maxBatchBytes";
      if (c.has(field)) {
        b.maxBatchBytes(c.longValue(field, 0, 0, Long.MAX_VALUE));
      }
      field = "concurrency";
      if (c.has(field)) {
        b.concurrency(c.intValue(field, 1, 1, Integer.MAX_VALUE));
      }
      field = "maxElapsedTime";
      if (c.has(field)) {
        b.maxElapsedTime(c.duration(field, Duration.ZERO));
      }
      field = "deliveryTimeout";
      if (c.has(field)) {
        b.deliveryTimeout(c.duration(field, Duration.ZERO));
      }
      field = "circuitBreaker";
      if (c.has(field)) {
        PluginConfig cb = new PluginConfig(owner + " circuitBreaker", (ObjectNode) node.get(field));
        if (cb.bool("enabled", true)) {
          b.circuitBreaker(cb.intValue("failures", 5, 1, Integer.MAX_VALUE),
              cb.duration("openFor", Duration.ofSeconds(30)));
          if (cb.has("probeTimeout")) {
            b.probeTimeout(cb.duration("probeTimeout", Duration.ofSeconds(60)));
          }
        } else {
          b.noCircuitBreaker();
        }
      }
      field = "rateLimit";
      if (c.has(field)) {
        PluginConfig rl = new PluginConfig(owner + " rateLimit", (ObjectNode) node.get(field));
        b.rateLimit(rl.intValue("permits", 0, 1, Integer.MAX_VALUE), rl.duration("period", Duration.ofSeconds(1)));
      }
      field = null;
      return b.build(); // checks deliveryTimeout against maxElapsedTime
    } catch (PluginConfigException | IllegalArgumentException e) {
      throw new Problem(field == null ? pointer : pointer + "/" + field, e.getMessage());
    }
  }

  /** Maps what is valid of a pipeline, to find the semantic problems too; null when any part is not. */
  private Pipeline pipeline(String name, ObjectNode node, String pointer, JsonNode destinations) {
    PipelineBuilder b = Pipeline.builder(name);
    int before = problems.size();
    boolean complete = !skipped(pointer);
    if (node.has("description")) {
      b.description(node.get("description").asText());
    }
    if (node.path("source").isObject() && !skipped(pointer + "/source")) {
      ObjectNode source = node.get("source").deepCopy();
      String type = source.remove("type").asText();
      b.source(PluginSpec.of(type, source));
    }
    JsonNode rules = node.path("rules");
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).isObject() && !skipped(pointer + "/rules/" + i)) {
        rule(b, name, (ObjectNode) rules.get(i), pointer + "/rules/" + i, destinations);
      }
    }
    if (!complete) {
      return null; // its schema problems are already reported
    }
    List<String> otherwise = strings(node.get("otherwise"));
    for (int k = 0; k < otherwise.size(); k++) {
      checkDestination(otherwise.get(k), destinations,
          pointer + "/otherwise" + (node.get("otherwise").isArray() ? "/" + k : ""));
    }
    b.otherwise(otherwise.toArray(new String[0]));
    if (node.has("unmatched")) {
      b.unmatched(UnmatchedPolicy.valueOf(constant(node.get("unmatched"))));
    }
    if (node.has("onError")) {
      b.onError(ErrorPolicy.valueOf(constant(node.get("onError"))));
    }
    JsonNode triggers = node.path("triggers");
    for (int i = 0; i < triggers.size(); i++) {
      if (triggers.get(i).isObject() && !skipped(pointer + "/triggers/" + i)) {
        try {
          b.trigger(trigger((ObjectNode) triggers.get(i), pointer + "/triggers/" + i));
        } catch (Problem p) {
          problems.add(Locations.problem(located.values, p.pointer, p.getMessage()));
        }
      }
    }
    if (node.has("overlap")) {
      b.overlap(OverlapPolicy.of(node.get("overlap").asText()));
    }
    if (node.has("queueCapacity")) {
      try {
        b.queueCapacity(node.get("queueCapacity").asInt());
      } catch (IllegalArgumentException e) {
        problems.add(Locations.problem(located.values, pointer + "/queueCapacity", e.getMessage()));
      }
    }
    if (node.has("queueBytes")) {
      try {
        b.queueBytes(node.get("queueBytes").asLong());
      } catch (IllegalArgumentException e) {
        problems.add(Locations.problem(located.values, pointer + "/queueBytes", e.getMessage()));
      }
    }
    if (node.has("maxConcurrentRuns")) {
      try {
        b.maxConcurrentRuns(node.get("maxConcurrentRuns").asInt());
      } catch (IllegalArgumentException e) {
        problems.add(Locations.problem(located.values, pointer + "/maxConcurrentRuns", e.getMessage()));
      }
    }
    return problems.size() == before ? b.build() : null;
  }

  private TriggerDefinition trigger(ObjectNode node, String pointer) {
    int kinds = (node.has("cron") ? 1 : 0) + (node.has("webhook") ? 1 : 0) + (node.has("type") ? 1 : 0);
    if (kinds != 1) {
      throw new Problem(pointer, "a trigger has exactly one of cron, webhook or type (a plugin), found " + kinds);
    }
    if (node.has("type")) {
      ObjectNode options = node.deepCopy();
      String type = options.remove("type").asText();
      return new PluginTrigger(PluginSpec.of(type, options));
    }
    PluginConfig c = new PluginConfig("trigger", node);
    if (node.has("cron")) {
      if (node.has("webhook") || node.has("signature")) {
        throw new Problem(pointer, "a cron trigger takes no webhook settings");
      }
      CronTrigger.Builder cron = CronTrigger.builder(node.get("cron").asText());
      String field = "zone";
      try {
        if (node.has("zone")) {
          cron.zone(ZoneId.of(node.get("zone").asText()));
        }
        field = "syntax";
        if (node.has("syntax")) {
          cron.syntax(CronSyntax.of(node.get("syntax").asText()));
        }
        field = "dst";
        if (node.has("dst")) {
          cron.dst(DstPolicy.of(node.get("dst").asText()));
        }
        field = "misfire";
        if (node.has("misfire")) {
          cron.misfire(MisfirePolicy.of(node.get("misfire").asText()));
        }
        field = "misfireThreshold";
        if (node.has(field)) {
          cron.misfireThreshold(c.duration(field, Duration.ZERO));
        }
        field = "jitter";
        if (node.has(field)) {
          cron.jitter(c.duration(field, Duration.ZERO));
        }
        field = "cron";
        return cron.build();
      } catch (DateTimeException e) {
        throw new Problem(pointer + "/zone", "'" + node.get("zone").asText() + "' is not a time zone (use e.g. Europe/Berlin or UTC)");
      } catch (InvalidCronException e) {
        throw new Problem(pointer + "/cron", e.getMessage());
      } catch (PluginConfigException | IllegalArgumentException e) {
        throw new Problem(pointer + "/" + field, e.getMessage());
      }
    }
    WebhookSignature signature = node.has("signature")
        ? signature((ObjectNode) node.get("signature"), pointer + "/signature") : WebhookSignature.none();
    try {
      WebhookTrigger webhook = WebhookTrigger.of(node.get("webhook").asText(), signature);
      if (node.has("maxBodyBytes")) {
        webhook = webhook.withMaxBodyBytes(node.get("maxBodyBytes").asInt());
      }
      if (node.has("replayWindow") || node.has("replayCapacity")) {
        webhook = webhook.withReplayWindow(c.duration("replayWindow", WebhookTrigger.DEFAULT_REPLAY_WINDOW),
            c.intValue("replayCapacity", WebhookTrigger.DEFAULT_REPLAY_CAPACITY, 1, Integer.MAX_VALUE));
      }
      return webhook;
    } catch (PluginConfigException | IllegalArgumentException e) {
      throw new Problem(pointer + "/webhook", e.getMessage());
    }
  }

  private static WebhookSignature signature(ObjectNode node, String pointer) {
    String scheme = node.get("scheme").asText();
    PluginConfig c = new PluginConfig("webhook signature", node);
    String field = "secret";
    try {
      if (scheme.equals("none")) {
        if (node.size() > 1) {
          throw new IllegalArgumentException("scheme none takes no other settings");
        }
        return WebhookSignature.none();
      }
      if (!node.path("secret").isTextual() || node.get("secret").textValue().isEmpty()) {
        throw new Problem(pointer, "scheme " + scheme + " needs a secret (e.g. secret: ${secret:my_webhook})");
      }
      String secret = node.get("secret").textValue();
      WebhookSignature s = switch (scheme) {
        case "github" -> WebhookSignature.github(secret);
        case "stripe" -> WebhookSignature.stripe(secret);
        case "slack" -> WebhookSignature.slack(secret);
        case "standard" -> WebhookSignature.standard(secret);
        default -> WebhookSignature.hmacSha256(secret);
      };
      field = "header";
      if (node.has(field)) {
        s = s.withHeader(node.get(field).asText());
      }
      field = "encoding";
      if (node.has(field)) {
        s = s.withEncoding(WebhookSignature.Encoding.valueOf(node.get(field).asText().toUpperCase(Locale.ROOT)));
      }
      field = "prefix";
      if (node.has(field)) {
        s = s.withPrefix(node.get(field).asText());
      }
      field = "timestampHeader";
      if (node.has(field)) {
        s = s.withTimestampHeader(node.get(field).asText());
      }
      field = "tolerance";
      if (node.has(field)) {
        s = s.withTolerance(c.duration(field, WebhookSignature.DEFAULT_TOLERANCE));
      }
      field = "deliveryIdHeader";
      if (node.has(field)) {
        s = s.withDeliveryIdHeader(node.get(field).asText());
      }
      field = "deliveryIdField";
      if (node.has(field)) {
        s = s.withDeliveryIdField(node.get(field).asText().replaceFirst("^\\$\\.", "").replace('.', '/'));
      }
      return s;
    } catch (PluginConfigException | IllegalArgumentException | IllegalStateException e) {
      throw new Problem(pointer + "/" + field, e.getMessage());
    }
  }

  private void rule(PipelineBuilder b, String pipeline, ObjectNode node, String pointer, JsonNode destinations) {
    List<String> to = strings(node.get("to"));
    for (int k = 0; k < to.size(); k++) {
      checkDestination(to.get(k), destinations, pointer + "/to" + (node.get("to").isArray() ? "/" + k : ""));
    }
    try {
      b.route(r -> {
        if (node.has("name")) {
          r.name(node.get("name").asText());
        }
        if (node.has("when")) {
          try {
            r.when(node.get("when"));
          } catch (ConditionSyntaxException e) {
            throw new Problem(pointer + "/when", e.problem() + " (at character " + (e.position() + 1) + " of \""
                + e.expression() + "\")");
          } catch (IllegalArgumentException e) {
            throw new Problem(pointer + "/when", strip(e.getMessage()));
          }
        }
        JsonNode steps = node.path("transform");
        for (int j = 0; j < steps.size(); j++) {
          try {
            r.transform(steps.get(j));
          } catch (ConditionSyntaxException e) {
            throw new Problem(pointer + "/transform/" + j, e.problem() + " (at character " + (e.position() + 1)
                + " of \"" + e.expression() + "\")");
          } catch (IllegalArgumentException e) {
            throw new Problem(pointer + "/transform/" + j, strip(e.getMessage()));
          }
        }
        if (node.has("priority")) {
          r.priority(node.get("priority").asInt());
        }
        if (node.path("stop").asBoolean(false)) {
          r.stop();
        }
        r.to(to.toArray(new String[0]));
      });
    } catch (Problem p) {
      problems.add(Locations.problem(located.values, p.pointer, p.getMessage()));
    } catch (IllegalArgumentException e) {
      problems.add(Locations.problem(located.values, pointer + (node.has("name") ? "/name" : ""), strip(e.getMessage())));
    }
  }

  private void checkDestination(String name, JsonNode destinations, String pointer) {
    if (destinations.has(name)) {
      return;
    }
    List<String> known = new ArrayList<>();
    destinations.fieldNames().forEachRemaining(known::add);
    String hint = DidYouMean.suggest(name, known);
    problems.add(Locations.problem(located.values, pointer, "destination '" + name + "' is not defined"
        + (hint != null ? "; did you mean '" + hint + "'?"
            : known.isEmpty() ? " (no destinations are defined)" : " (defined: " + String.join(", ", known) + ")")));
  }

  /** Drops the "pipeline 'x', rule 'y': " prefix the builders add: the pointer says it already. */
  private static String strip(String message) {
    return message.replaceFirst("^pipeline '[^']*', rule '[^']*': ", "");
  }

  private static String constant(JsonNode n) {
    return n.asText().toUpperCase(Locale.ROOT).replace('-', '_');
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isTextual()) {
      out.add(n.textValue());
    } else {
      n.forEach(v -> out.add(v.asText()));
    }
    return out;
  }

  /** A problem at a pointer, thrown out of builder callbacks. */
  static final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String pointer;

    Problem(String pointer, String message) {
      super(message, null, false, false);
      this.pointer = pointer;
    }
  }
}
