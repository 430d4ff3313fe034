package dev.sluice.routing;

import java.util.List;
import java.util.Objects;

/**
 * One rule of a pipeline: when {@link #condition()} matches, apply {@link #transforms()} and send
 * the result to {@link #targets()}; with {@link #stop()}, later rules are not tried for that record.
 *
 * <p>Rules are evaluated by ascending {@link #priority()}, ties in declaration order.
 *
 * @param name unique in its pipeline, never null
 * @param expression the condition as written (for traces and messages), or null for "always"
 * @param condition never null
 * @param priority lower runs first
 * @param transforms applied in order, never null
 * @param targets destination names, never null, may be empty (a rule that only stops)
 * @param stop whether matching ends at this rule
 */
public record RoutingRule(
    String name,
    String expression,
    Condition condition,
    int priority,
    List<Transform> transforms,
    List<String> targets,
    boolean stop) {

  /**
   * Validates the components and copies the lists.
   *
   * @param name unique in its pipeline, never null
   * @param expression the condition as written (for traces and messages), or null for "always"
   * @param condition never null
   * @param priority lower runs first
   * @param transforms applied in order, never null
   * @param targets destination names, never null, may be empty (a rule that only stops)
   * @param stop whether matching ends at this rule
   * @throws NullPointerException when {@code name}, {@code condition}, {@code transforms} or
   *     {@code targets} is null
   */
  public RoutingRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(condition, "condition");
    transforms = List.copyOf(transforms);
    targets = List.copyOf(targets);
  }

  /**
   * This rule with custom rule plugins (in its condition and transforms) bound.
   *
   * @param resolver resolves rule plugin types to instances
   * @return the bound rule
   */
  public RoutingRule bind(RuleResolver resolver) {
    Condition boundCondition =
        condition instanceof CompiledCondition ? ((CompiledCondition) condition).bind(resolver) : condition;
    List<Transform> boundTransforms = transforms.stream()
        .map(t -> t instanceof Transforms.CustomStep ? ((Transforms.CustomStep) t).bind(resolver) : t)
        .toList();
    return new RoutingRule(name, expression, boundCondition, priority, boundTransforms, targets, stop);
  }
}
