package dev.sluice.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.JsonValues;
import dev.sluice.routing.PathCache;
import dev.sluice.routing.RoutingRule;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.PluginTrigger;
import dev.sluice.schedule.TriggerDefinition;
import dev.sluice.schedule.WebhookSignature;
import dev.sluice.schedule.WebhookTrigger;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Trigger;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds a {@link Pipeline}. Each setter checks its value and names it in the error.
 *
 * <pre>{@code
 * p.source("file", Map.of("path", "orders.jsonl"))
 *  .route(r -> r.name("big").when("$.amount > 1000").to("alerts"))
 *  .route(r -> r.to("all"))
 *  .cron("0 9 * * 1-5", ZoneId.of("Europe/Berlin"))
 *  .webhook("/hooks/orders", WebhookSignature.github(secret))
 *  .overlap(OverlapPolicy.QUEUE);
 * }</pre>
 *
 * <p>Not thread-safe.
 */
public final class PipelineBuilder {
  private final String name;
  private String description = "";
  private PluginSpec<Connector> source;
  private final List<RoutingRule> rules = new ArrayList<>();
  private final List<String> otherwise = new ArrayList<>();
  private UnmatchedPolicy unmatched = UnmatchedPolicy.DROP;
  private ErrorPolicy onError = ErrorPolicy.DEAD_LETTER;
  private int queueCapacity = Pipeline.DEFAULT_QUEUE_CAPACITY;
  private long queueBytes = Pipeline.DEFAULT_QUEUE_BYTES;
  private int maxConcurrentRuns = Pipeline.DEFAULT_MAX_CONCURRENT_RUNS;
  private final PathCache paths = new PathCache();
  private final List<TriggerDefinition> triggers = new ArrayList<>();
  private OverlapPolicy overlap = OverlapPolicy.SKIP;

  PipelineBuilder(String name) {
    this.name = Names.check("pipeline", name);
  }

  /**
   * The pipeline's name, as given to {@code Pipeline.builder}.
   *
   * @return the name, never null
   */
  public String name() {
    return name;
  }

  /**
   * A description for people (listings, the REST API). Default empty.
   *
   * @param value the description, not null
   * @return this builder
   */
  public PipelineBuilder description(String value) {
    this.description = Objects.requireNonNull(value, "description");
    return this;
  }

  /**
   * Reads from a connector instance the host created.
   *
   * @param connector the connector; Sluice opens it for each run and never closes it for the host
   * @return this builder
   */
  public PipelineBuilder source(Connector connector) {
    this.source = PluginSpec.instance(connector);
    return this;
  }

  /**
   * Reads from a connector of {@code type} (e.g. {@code "file"}) with these options.
   *
   * @param type the connector's plugin type
   * @param options the connector's options (converted to JSON; nested maps and lists allowed)
   * @return this builder
   */
  public PipelineBuilder source(String type, Map<String, ?> options) {
    this.source = PluginSpec.of(type, (ObjectNode) JsonValues.toNode(options));
    return this;
  }

  /**
   * Reads from the connector {@code spec} names (a type with options, or an instance).
   *
   * @param spec the connector, not null
   * @return this builder
   */
  public PipelineBuilder source(PluginSpec<Connector> spec) {
    this.source = Objects.requireNonNull(spec, "source");
    return this;
  }

  /**
   * Adds a rule, configured by {@code rule}. Rules without a name are named {@code rule-<n>}.
   *
   * @param rule configures the rule: name, condition, transformations, destinations
   * @return this builder
   * @throws IllegalArgumentException when a rule of that name exists already, or a setting is
   *     invalid
   */
  public PipelineBuilder route(Consumer<RouteBuilder> rule) {
    RouteBuilder b = new RouteBuilder(name, "rule-" + (rules.size() + 1), paths);
    rule.accept(b);
    add(b.build());
    return this;
  }

  /**
   * Adds a rule built elsewhere (e.g. by the configuration loader).
   *
   * @param rule the rule
   * @return this builder
   * @throws IllegalArgumentException when a rule of that name exists already
   */
  public PipelineBuilder rule(RoutingRule rule) {
    add(rule);
    return this;
  }

  /**
   * Where records go that no rule matched.
   *
   * @param destinations destination names, added to those given before
   * @return this builder
   * @throws IllegalArgumentException when a name is not a valid destination name
   */
  public PipelineBuilder otherwise(String... destinations) {
    for (String d : destinations) {
      otherwise.add(Names.check("destination", d));
    }
    return this;
  }

  /**
   * What happens to records no rule matched when there is no {@code otherwise} route. Default
   * {@link UnmatchedPolicy#DROP}.
   *
   * @param value the policy, not null
   * @return this builder
   */
  public PipelineBuilder unmatched(UnmatchedPolicy value) {
    this.unmatched = Objects.requireNonNull(value, "unmatched");
    return this;
  }

  /**
   * What happens to a record a condition or transformation failed on. Default
   * {@link ErrorPolicy#DEAD_LETTER}.
   *
   * @param value the policy, not null
   * @return this builder
   */
  public PipelineBuilder onError(ErrorPolicy value) {
    this.onError = Objects.requireNonNull(value, "onError");
    return this;
  }

  /**
   * Records buffered between reading and routing; bounds memory. Default 1024.
   *
   * @param value the capacity in records, between 1 and 1,000,000
   * @return this builder
   * @throws IllegalArgumentException when {@code value} is out of range
   */
  public PipelineBuilder queueCapacity(int value) {
    if (value < 1 || value > 1_000_000) {
      throw new IllegalArgumentException(
          "pipeline '" + name + "': queueCapacity must be between 1 and 1000000, got " + value);
    }
    this.queueCapacity = value;
    return this;
  }

  /**
   * Bytes of records (estimated JSON size) buffered between reading and routing; bounds memory
   * together with {@link #queueCapacity}. Default 64 MiB.
   *
   * @param value the limit in bytes, at least 1
   * @return this builder
   * @throws IllegalArgumentException when {@code value} is under 1
   */
  public PipelineBuilder queueBytes(long value) {
    if (value < 1) {
      throw new IllegalArgumentException("pipeline '" + name + "': queueBytes must be >= 1, got " + value);
    }
    this.queueBytes = value;
    return this;
  }

  /**
   * With overlap policy allow: triggered runs in progress at once, at most; more are skipped.
   * Default 4.
   *
   * @param value between 1 and 1000
   * @return this builder
   * @throws IllegalArgumentException when {@code value} is out of range
   */
  public PipelineBuilder maxConcurrentRuns(int value) {
    if (value < 1 || value > 1000) {
      throw new IllegalArgumentException(
          "pipeline '" + name + "': maxConcurrentRuns must be between 1 and 1000, got " + value);
    }
    this.maxConcurrentRuns = value;
    return this;
  }

  /**
   * Runs the pipeline at the times of a Unix-syntax cron expression in UTC.
   *
   * @param expression five fields, or a macro such as {@code @daily}
   * @return this builder
   * @throws dev.sluice.schedule.InvalidCronException when the expression can't be parsed
   */
  public PipelineBuilder cron(String expression) {
    return trigger(CronTrigger.of(expression));
  }

  /**
   * Runs the pipeline at the times of a Unix-syntax cron expression in {@code zone}.
   *
   * @param expression five fields, or a macro such as {@code @daily}
   * @param zone the zone whose wall clock the expression reads
   * @return this builder
   * @throws dev.sluice.schedule.InvalidCronException when the expression can't be parsed
   */
  public PipelineBuilder cron(String expression, ZoneId zone) {
    return trigger(CronTrigger.of(expression, zone));
  }

  /**
   * Runs the pipeline when a request signed as {@code signature} arrives at {@code path}.
   *
   * @param path the absolute path, e.g. {@code /hooks/orders}
   * @param signature how requests are verified
   * @return this builder
   * @throws IllegalArgumentException when the path is invalid or an equal trigger was added
   */
  public PipelineBuilder webhook(String path, WebhookSignature signature) {
    return trigger(WebhookTrigger.of(path, signature));
  }

  /**
   * A trigger of a plugin {@code type} with these options.
   *
   * @param type the trigger plugin's type
   * @param options its options (converted to JSON)
   * @return this builder
   */
  public PipelineBuilder trigger(String type, Map<String, ?> options) {
    return trigger(new PluginTrigger(PluginSpec.of(type, (ObjectNode) JsonValues.toNode(options))));
  }

  /**
   * A trigger instance the host created; Sluice starts it on start and closes it on close.
   *
   * @param instance the trigger
   * @return this builder
   */
  public PipelineBuilder trigger(Trigger instance) {
    return trigger(new PluginTrigger(PluginSpec.instance(instance)));
  }

  /**
   * Any trigger definition, e.g. a {@link CronTrigger} with misfire and jitter settings.
   *
   * @param value the trigger, not null
   * @return this builder
   * @throws IllegalArgumentException when an equal trigger was added already
   */
  public PipelineBuilder trigger(TriggerDefinition value) {
    Objects.requireNonNull(value, "trigger");
    if (triggers.contains(value)) {
      throw new IllegalArgumentException(
          "pipeline '" + name + "' already has the trigger '" + value.describe() + "'");
    }
    triggers.add(value);
    return this;
  }

  /**
   * What happens when a trigger asks for a run while one is in progress. Default {@link
   * OverlapPolicy#SKIP}.
   *
   * @param value the policy, not null
   * @return this builder
   */
  public PipelineBuilder overlap(OverlapPolicy value) {
    this.overlap = Objects.requireNonNull(value, "overlap");
    return this;
  }

  /**
   * Builds the immutable pipeline; the builder may be used on.
   *
   * @return the pipeline
   * @throws IllegalStateException when no source was set
   */
  public Pipeline build() {
    if (source == null) {
      throw new IllegalStateException("pipeline '" + name + "' has no source: call source(...)");
    }
    return new Pipeline(
        name, description, source, rules, otherwise, unmatched, onError, queueCapacity, queueBytes, triggers, overlap,
        maxConcurrentRuns);
  }

  private void add(RoutingRule rule) {
    Set<String> names = new HashSet<>();
    rules.forEach(r -> names.add(r.name()));
    if (names.contains(rule.name())) {
      throw new IllegalArgumentException(
          "pipeline '" + name + "' already has a rule named '" + rule.name() + "'");
    }
    rules.add(rule);
  }
}
