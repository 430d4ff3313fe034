package dev.sluice.pipeline;

import dev.sluice.routing.Condition;
import dev.sluice.routing.ConditionSyntaxException;
import dev.sluice.routing.Conditions;
import dev.sluice.routing.RoutingRule;
import dev.sluice.routing.Transform;
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
  private String name;
  private String expression;
  private Condition condition = Condition.ALWAYS;
  private int priority;
  private final List<Transform> transforms = new ArrayList<>();
  private final List<String> targets = new ArrayList<>();
  private boolean stop;

  RouteBuilder(String pipeline, String defaultName) {
    this.pipeline = pipeline;
    this.name = defaultName;
  }

  public RouteBuilder name(String value) {
    this.name = Names.check("rule", value);
    return this;
  }

  /**
   * Only records matching this expression take the rule.
   *
   * @throws ConditionSyntaxException naming the rule, with a caret under the error
   */
  public RouteBuilder when(String value) {
    Objects.requireNonNull(value, "condition");
    try {
      this.condition = Conditions.compile(value);
    } catch (ConditionSyntaxException e) {
      throw e.in("pipeline '" + pipeline + "', rule '" + name + "'");
    }
    this.expression = value;
    return this;
  }

  /** Only records matching this Java condition take the rule. */
  public RouteBuilder when(Condition value) {
    this.condition = Objects.requireNonNull(value, "condition");
    this.expression = "<java condition>";
    return this;
  }

  /** Lower runs first; ties keep declaration order. Default 0. */
  public RouteBuilder priority(int value) {
    this.priority = value;
    return this;
  }

  /** Appends a transformation; they apply in order. */
  public RouteBuilder transform(Transform value) {
    transforms.add(Objects.requireNonNull(value, "transform"));
    return this;
  }

  /** Sends matching records to these destinations. */
  public RouteBuilder to(String... destinations) {
    for (String d : destinations) {
      targets.add(Names.check("destination", d));
    }
    return this;
  }

  /** Later rules are not tried for records this rule matched. */
  public RouteBuilder stop() {
    this.stop = true;
    return this;
  }

  RoutingRule build() {
    return new RoutingRule(name, expression, condition, priority, transforms, targets, stop);
  }
}
