package dev.sluice;

import dev.sluice.pipeline.DestinationDefinition;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.schedule.WebhookTrigger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a Sluice instance runs, as data: named destinations and pipelines. The fluent builder
 * and the configuration loader both produce one, and equal inputs give equal definitions.
 *
 * <p>Immutable and thread-safe.
 */
public final class SluiceDefinition {
  private final Map<String, DestinationDefinition> destinations;
  private final Map<String, Pipeline> pipelines;

  /**
   * Creates a definition; the maps are copied, keeping their iteration order.
   *
   * @param destinations destination definitions by name
   * @param pipelines pipelines by name
   */
  public SluiceDefinition(
      Map<String, DestinationDefinition> destinations, Map<String, Pipeline> pipelines) {
    this.destinations = Collections.unmodifiableMap(new LinkedHashMap<>(destinations));
    this.pipelines = Collections.unmodifiableMap(new LinkedHashMap<>(pipelines));
  }

  /**
   * By name, in definition order.
   *
   * @return an unmodifiable map
   */
  public Map<String, DestinationDefinition> destinations() {
    return destinations;
  }

  /**
   * By name, in definition order.
   *
   * @return an unmodifiable map
   */
  public Map<String, Pipeline> pipelines() {
    return pipelines;
  }

  /**
   * Problems that make this definition unusable: routes to undefined destinations, two webhooks on
   * one path. Empty when valid.
   *
   * @return one message per problem; a new list
   */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    Map<String, String> webhookPaths = new HashMap<>();
    pipelines.values().forEach(p -> p.triggers().forEach(t -> {
      if (t instanceof WebhookTrigger w) {
        String other = webhookPaths.putIfAbsent(w.path(), p.name());
        if (other != null) {
          problems.add("pipeline '" + p.name() + "': webhook path " + w.path()
              + " is already used by pipeline '" + other + "'; each path starts one pipeline");
        }
      }
    }));
    pipelines.values().forEach(p -> {
      p.rules().forEach(r -> r.targets().forEach(t -> {
        if (!destinations.containsKey(t)) {
          problems.add("pipeline '" + p.name() + "', rule '" + r.name()
              + "' routes to destination '" + t + "', which is not defined" + known());
        }
      }));
      p.otherwise().forEach(t -> {
        if (!destinations.containsKey(t)) {
          problems.add("pipeline '" + p.name() + "': otherwise routes to destination '" + t
              + "', which is not defined" + known());
        }
      });
    });
    return problems;
  }

  private String known() {
    return destinations.isEmpty()
        ? " (no destinations are defined)"
        : " (defined: " + String.join(", ", destinations.keySet()) + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SluiceDefinition
        && destinations.equals(((SluiceDefinition) o).destinations)
        && pipelines.equals(((SluiceDefinition) o).pipelines);
  }

  @Override
  public int hashCode() {
    return Objects.hash(destinations, pipelines);
  }

  @Override
  public String toString() {
    return "SluiceDefinition{destinations=" + destinations.keySet() + ", pipelines="
        + pipelines.keySet() + "}";
  }
}
