package dev.sluice.config;

import dev.sluice.SluiceException;
import java.util.List;

/** A configuration has problems; {@link #problems()} lists every one, each with its location. */
public class InvalidConfigException extends SluiceException {
  private static final long serialVersionUID = 1L;

  private final transient List<ConfigProblem> problems;

  /**
   * Creates the exception; the message lists every problem, one per line.
   *
   * @param problems the problems, not empty
   */
  public InvalidConfigException(List<ConfigProblem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * Every problem found, sorted by file and position. Not serialized.
   *
   * @return an unmodifiable list
   */
  public List<ConfigProblem> problems() {
    return problems;
  }

  private static String render(List<ConfigProblem> problems) {
    StringBuilder sb = new StringBuilder("invalid configuration (")
        .append(problems.size()).append(problems.size() == 1 ? " problem):" : " problems):");
    problems.forEach(p -> sb.append("\n  ").append(p));
    return sb.toString();
  }
}
