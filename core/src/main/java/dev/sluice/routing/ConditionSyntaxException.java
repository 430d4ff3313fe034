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

  /** @serial the expression that failed to compile */
  private final String expression;
  /** @serial zero-based index of the error in {@link #expression} */
  private final int position;
  /** @serial the problem, without expression and caret */
  private final String problem;

  /**
   * Creates the error; the message renders the expression with a caret under {@code position}.
   *
   * @param expression the expression that failed to compile
   * @param position zero-based index of the error in {@code expression}
   * @param problem what is wrong, e.g. {@code unexpected '>'}
   */
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

  /**
   * The same error, prefixed with what owns the expression (e.g. {@code rule 'big'}).
   *
   * @param owner what owns the expression, e.g. {@code rule 'big'}
   * @return a new exception, with this one as its cause
   */
  public ConditionSyntaxException in(String owner) {
    return new ConditionSyntaxException(owner, this);
  }

  /**
   * The expression that failed to compile.
   *
   * @return the expression as written
   */
  public String expression() {
    return expression;
  }

  /**
   * Zero-based index into {@link #expression()}.
   *
   * @return the error's position, zero-based
   */
  public int position() {
    return position;
  }

  /**
   * The problem alone, without expression and caret.
   *
   * @return the problem, e.g. {@code unexpected '>'}
   */
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
