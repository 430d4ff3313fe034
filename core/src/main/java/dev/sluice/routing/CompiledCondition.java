package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.record.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A condition compiled from an expression ({@code $.amount > 1000 && $.country in ['DE','AT']})
 * or from the structured YAML form ({@code all:} / {@code any:} / {@code not:}).
 *
 * <p>Immutable and thread-safe. {@link #trace} evaluates the same way and also reports every
 * comparison's operands and values.
 */
public final class CompiledCondition implements Condition {
  private final String source;
  private final Expr.Node root;

  CompiledCondition(String source, Expr.Node root) {
    this.source = Objects.requireNonNull(source);
    this.root = Objects.requireNonNull(root);
  }

  /**
   * The condition as written (the structured form is shown as JSON).
   *
   * @return the source text, never null
   */
  public String source() {
    return source;
  }

  @Override
  public boolean test(Record record) {
    return root.test(record.data(), record, null);
  }

  /** Evaluates against a value that is not a record's data (an array item in a filter). */
  boolean testValue(JsonNode value, Record record) {
    return root.test(value, record, null);
  }

  /**
   * Evaluates like {@link #test} and reports each comparison made, in evaluation order (with
   * short-circuiting, as in a real run).
   *
   * @param record the record to evaluate
   * @return the outcome with the comparisons made
   * @throws RoutingException when the record can't be evaluated
   */
  public Result trace(Record record) {
    List<ConditionTrace> steps = new ArrayList<>();
    boolean matched = root.test(record.data(), record, steps);
    return new Result(matched, List.copyOf(steps));
  }

  /**
   * This condition with its custom rule references bound to plugins.
   *
   * @param resolver resolves rule plugin types to instances
   * @return the bound condition ({@code this} when there is nothing to bind)
   */
  public CompiledCondition bind(RuleResolver resolver) {
    Expr.Node bound = root.bind(resolver);
    return bound == root ? this : new CompiledCondition(source, bound);
  }

  @Override
  public String toString() {
    return source;
  }

  /**
   * A traced evaluation.
   *
   * @param matched the outcome
   * @param steps the comparisons made, in order
   */
  public record Result(boolean matched, List<ConditionTrace> steps) {}
}
