package dev.sluice.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.routing.Condition;
import dev.sluice.routing.ConditionSyntaxException;
import dev.sluice.routing.Conditions;
import dev.sluice.routing.PathCache;
import dev.sluice.routing.RoutingRule;
import dev.sluice.routing.Transform;
import dev.sluice.routing.Transforms;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds one {@link RoutingRule}: {@code r.name("big").when("$.amount > 1000").to("alerts")}.
 * Conditions compile when set, so a syntax error surfaces at build time with a caret under it.
 *
 * <p>Not thread-safe.
 */
public final class RouteBuilder {
  private final String pipeline;
  private final PathCache paths;
  private String name;
  private String expression;
  private Condition condition = Condition.ALWAYS;
  private int priority;
  private final List<Transform> transforms = new ArrayList<>();
  private final List<String> targets = new ArrayList<>();
  private boolean stop;

  RouteBuilder(String pipeline, String defaultName, PathCache paths) {
    this.pipeline = pipeline;
    this.name = defaultName;
    this.paths = paths;
  }

  /**
   * Names the rule, unique in its pipeline. Default {@code rule-<n>}.
   *
   * @param value the name
   * @return this builder
   * @throws IllegalArgumentException when {@code value} is not a valid name
   */
  public RouteBuilder name(String value) {
    this.name = Names.check("rule", value);
    return this;
  }

  /**
   * Only records matching this expression take the rule.
   *
   * @param value the condition, in the {@link dev.sluice.routing.Conditions} syntax
   * @return this builder
   * @throws ConditionSyntaxException naming the rule, with a caret under the error
   */
  public RouteBuilder when(String value) {
    Objects.requireNonNull(value, "condition");
    try {
      this.condition = Conditions.compile(value, paths);
    } catch (ConditionSyntaxException e) {
      throw e.in("pipeline '" + pipeline + "', rule '" + name + "'");
    }
    this.expression = value;
    return this;
  }

  /**
   * Only records matching this condition in structured form take the rule: an expression string,
   * or an object with one key of {@code all}, {@code any}, {@code not} or {@code rule}.
   *
   * @param structured the condition
   * @return this builder
   * @throws ConditionSyntaxException naming the rule, for a bad expression inside
   * @throws IllegalArgumentException naming the rule, for a bad structure
   */
  public RouteBuilder when(JsonNode structured) {
    Objects.requireNonNull(structured, "condition");
    try {
      this.condition = Conditions.compile(structured, paths);
    } catch (ConditionSyntaxException e) {
      throw e.in("pipeline '" + pipeline + "', rule '" + name + "'");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pipeline '" + pipeline + "', rule '" + name + "': " + e.getMessage(), e);
    }
    this.expression = structured.isTextual() ? structured.textValue() : structured.toString();
    return this;
  }

  /**
   * Only records matching this Java condition take the rule.
   *
   * @param value the condition, not null
   * @return this builder
   */
  public RouteBuilder when(Condition value) {
    this.condition = Objects.requireNonNull(value, "condition");
    this.expression = "<java condition>";
    return this;
  }

  /**
   * Lower runs first; ties keep declaration order. Default 0.
   *
   * @param value the priority
   * @return this builder
   */
  public RouteBuilder priority(int value) {
    this.priority = value;
    return this;
  }

  /**
   * Appends a transformation; they apply in order. See {@link Transforms} for the built-ins.
   *
   * @param value the transformation, not null
   * @return this builder
   */
  public RouteBuilder transform(Transform value) {
    transforms.add(Objects.requireNonNull(value, "transform"));
    return this;
  }

  /**
   * Appends a transformation in its configuration form, e.g. {@code {"set": {...}}}.
   *
   * @param spec the step: an object with one key, the operation
   * @return this builder
   * @throws IllegalArgumentException naming the rule and what is wrong with the step
   */
  public RouteBuilder transform(JsonNode spec) {
    try {
      return transform(Transforms.fromSpec(spec, paths));
    } catch (ConditionSyntaxException e) {
      throw e.in("pipeline '" + pipeline + "', rule '" + name + "'");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pipeline '" + pipeline + "', rule '" + name + "': " + e.getMessage(), e);
    }
  }

  /**
   * Sends matching records to these destinations.
   *
   * @param destinations destination names, added to those given before
   * @return this builder
   * @throws IllegalArgumentException when a name is not a valid destination name
   */
  public RouteBuilder to(String... destinations) {
    for (String d : destinations) {
      targets.add(Names.check("destination", d));
    }
    return this;
  }

  /**
   * Later rules are not tried for records this rule matched.
   *
   * @return this builder
   */
  public RouteBuilder stop() {
    this.stop = true;
    return this;
  }

  RoutingRule build() {
    return new RoutingRule(name, expression, condition, priority, transforms, targets, stop);
  }
}
