package dev.sluice.routing;

import dev.sluice.SluiceException;

/**
 * A condition does not compile. The message shows the expression with a caret under the error:
 *
 * <pre>
 * rule 'big': unexpected '>' at column 12
 *   $.amount &gt;&gt; 5
 *             ^
 * </pre>
 */
public class ConditionSyntaxException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final String expression;
  private final int position;
  private final String problem;

  public ConditionSyntaxException(String expression, int position, String problem) {
    super(render(null, expression, position, problem));
    this.expression = expression;
    this.position = position;
    this.problem = problem;
  }

  private ConditionSyntaxException(String owner, ConditionSyntaxException cause) {
    super(render(owner, cause.expression, cause.position, cause.problem), cause);
    this.expression = cause.expression;
    this.position = cause.position;
    this.problem = cause.problem;
  }

  /** The same error, prefixed with what owns the expression (e.g. {@code rule 'big'}). */
  public ConditionSyntaxException in(String owner) {
    return new ConditionSyntaxException(owner, this);
  }

  public String expression() {
    return expression;
  }

  /** Zero-based index into {@link #expression()}. */
  public int position() {
    return position;
  }

  /** The problem alone, without expression and caret. */
  public String problem() {
    return problem;
  }

  private static String render(String owner, String expression, int position, String problem) {
    StringBuilder sb = new StringBuilder();
    if (owner != null) {
      sb.append(owner).append(": ");
    }
    sb.append(problem).append(" at column ").append(position + 1).append('\n');
    sb.append("  ").append(expression).append('\n');
    sb.append("  ").append(" ".repeat(Math.max(0, position))).append('^');
    return sb.toString();
  }
}
