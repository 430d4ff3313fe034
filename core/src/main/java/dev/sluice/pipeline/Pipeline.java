package dev.sluice.pipeline;

import dev.sluice.routing.RoutingRule;
import dev.sluice.schedule.TriggerDefinition;
import dev.sluice.spi.Connector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable definition of a pipeline: one source, an ordered set of rules, where unmatched
 * records go, how errors are handled, what triggers its runs and what happens when runs overlap. Build it with {@link PipelineBuilder} (usually through
 * {@code Sluice.builder().pipeline(name, p -> ...)}) or load it from a configuration file; both
 * produce equal definitions.
 *
 * <p>Thread-safe and immutable.
 */
public final class Pipeline {
  /** Default capacity of the queue between reading and routing. */
  public static final int DEFAULT_QUEUE_CAPACITY = 1024;
  /** Default byte limit of the queue between reading and routing: 64 MiB. */
  public static final long DEFAULT_QUEUE_BYTES = 64L << 20;
  /** Default of {@link #maxConcurrentRuns()}. */
  public static final int DEFAULT_MAX_CONCURRENT_RUNS = 4;

  private final String name;
  private final String description;
  private final PluginSpec<Connector> source;
  private final List<RoutingRule> rules;
  private final List<String> otherwise;
  private final UnmatchedPolicy unmatched;
  private final ErrorPolicy onError;
  private final int queueCapacity;
  private final long queueBytes;
  private final List<TriggerDefinition> triggers;
  private final OverlapPolicy overlap;
  private final int maxConcurrentRuns;

  Pipeline(
      String name,
      String description,
      PluginSpec<Connector> source,
      List<RoutingRule> rules,
      List<String> otherwise,
      UnmatchedPolicy unmatched,
      ErrorPolicy onError,
      int queueCapacity,
      long queueBytes,
      List<TriggerDefinition> triggers,
      OverlapPolicy overlap,
      int maxConcurrentRuns) {
    this.name = Names.check("pipeline", name);
    this.description = description == null ? "" : description;
    this.source = Objects.requireNonNull(source, "pipeline '" + name + "' has no source");
    this.rules = List.copyOf(rules);
    this.otherwise = List.copyOf(otherwise);
    this.unmatched = Objects.requireNonNull(unmatched);
    this.onError = Objects.requireNonNull(onError);
    this.queueCapacity = queueCapacity;
    this.queueBytes = queueBytes;
    this.triggers = List.copyOf(triggers);
    this.overlap = Objects.requireNonNull(overlap);
    this.maxConcurrentRuns = maxConcurrentRuns;
  }

  /**
   * Starts the definition of a pipeline.
   *
   * @param name the pipeline's name, unique in its Sluice instance
   * @return a new builder
   * @throws IllegalArgumentException when {@code name} is not a valid name
   */
  public static PipelineBuilder builder(String name) {
    return new PipelineBuilder(name);
  }

  /**
   * The pipeline's name, unique in its Sluice instance.
   *
   * @return the name, never null
   */
  public String name() {
    return name;
  }

  /**
   * A description for people.
   *
   * @return the description; empty when none was given, never null
   */
  public String description() {
    return description;
  }

  /**
   * The connector the pipeline reads from.
   *
   * @return a plugin type with options, or an instance; never null
   */
  public PluginSpec<Connector> source() {
    return source;
  }

  /**
   * Rules in declaration order.
   *
   * @return an unmodifiable list
   */
  public List<RoutingRule> rules() {
    return rules;
  }

  /**
   * Rules in evaluation order: ascending priority, ties in declaration order.
   *
   * @return a new unmodifiable list
   */
  public List<RoutingRule> rulesInPriorityOrder() {
    List<RoutingRule> sorted = new ArrayList<>(rules);
    sorted.sort(Comparator.comparingInt(RoutingRule::priority)); // stable: keeps declaration order
    return List.copyOf(sorted);
  }

  /**
   * Destinations of records no rule matched; empty when unmatched records follow {@link
   * #unmatched()}.
   *
   * @return an unmodifiable list of destination names
   */
  public List<String> otherwise() {
    return otherwise;
  }

  /**
   * What happens to records no rule matched when {@link #otherwise()} is empty.
   *
   * @return the policy, never null
   */
  public UnmatchedPolicy unmatched() {
    return unmatched;
  }

  /**
   * What happens to a record a condition or transformation failed on.
   *
   * @return the policy, never null
   */
  public ErrorPolicy onError() {
    return onError;
  }

  /**
   * Items (records, checkpoints) buffered between reading and routing, at most.
   *
   * @return the capacity, at least 1
   */
  public int queueCapacity() {
    return queueCapacity;
  }

  /**
   * Bytes of records (their estimated JSON size) buffered between reading and routing, at most;
   * whichever of this and {@link #queueCapacity()} fills first holds the source back. A record
   * larger than this still passes, alone.
   *
   * @return the limit in bytes, at least 1
   */
  public long queueBytes() {
    return queueBytes;
  }

  /**
   * Cron, webhook and plugin triggers, in declaration order; started by {@code Sluice.start()}.
   *
   * @return an unmodifiable list; empty for a pipeline that runs only when asked
   */
  public List<TriggerDefinition> triggers() {
    return triggers;
  }

  /**
   * What happens when a trigger asks for a run while one is in progress.
   *
   * @return the policy, never null
   */
  public OverlapPolicy overlap() {
    return overlap;
  }

  /**
   * With {@link OverlapPolicy#ALLOW}: how many triggered runs may be in progress at once on this
   * node; a request beyond it ends {@link RunStatus#SKIPPED} (a webhook answers 503 with {@code
   * Retry-After}).
   *
   * @return the limit, at least 1
   */
  public int maxConcurrentRuns() {
    return maxConcurrentRuns;
  }

  /**
   * Every destination this pipeline can deliver to, in order of first mention.
   *
   * @return a new set of destination names, in order
   */
  public Set<String> destinations() {
    Set<String> out = new LinkedHashSet<>();
    rules.forEach(r -> out.addAll(r.targets()));
    out.addAll(otherwise);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Pipeline)) {
      return false;
    }
    Pipeline p = (Pipeline) o;
    return name.equals(p.name)
        && description.equals(p.description)
        && source.equals(p.source)
        && rulesEqual(rules, p.rules)
        && otherwise.equals(p.otherwise)
        && unmatched == p.unmatched
        && onError == p.onError
        && queueCapacity == p.queueCapacity
        && queueBytes == p.queueBytes
        && triggers.equals(p.triggers)
        && overlap == p.overlap
        && maxConcurrentRuns == p.maxConcurrentRuns;
  }

  /** Rules compare by their written form: compiled conditions and transforms have no equality. */
  private static boolean rulesEqual(List<RoutingRule> a, List<RoutingRule> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      RoutingRule x = a.get(i);
      RoutingRule y = b.get(i);
      if (!x.name().equals(y.name())
          || !Objects.equals(x.expression(), y.expression())
          || x.priority() != y.priority()
          || !x.targets().equals(y.targets())
          || x.stop() != y.stop()
          || x.transforms().size() != y.transforms().size()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, source, otherwise, unmatched, onError, queueCapacity, queueBytes, triggers, overlap,
        maxConcurrentRuns);
  }

  @Override
  public String toString() {
    return "Pipeline{" + name + ", source=" + source + ", rules=" + rules.size() + ", triggers="
        + triggers.stream().map(TriggerDefinition::describe).toList() + "}";
  }
}
