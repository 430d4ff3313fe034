package dev.sluice.spring.boot;

import dev.sluice.SluiceException;
import java.util.List;

/**
 * The Sluice configuration of a Spring application is invalid: the {@code sluice.*} properties, or
 * a file named by {@code sluice.config-location}. Thrown while the {@code Sluice} bean is created,
 * so the application does not start. Each problem names the property (e.g. {@code
 * sluice.pipelines.orders.source.type}) and where it was set, or the file, line and JSON pointer,
 * and says what was expected; never a secret value.
 *
 * <p>Immutable; thread-safe.
 */
public class SluiceConfigurationException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /** The problems, one line each (an immutable, serializable list). */
  private final List<String> problems;

  /**
   * @param problems one line each; at least one
   * @param cause what made loading fail, or null when the problems say it all
   */
  public SluiceConfigurationException(List<String> problems, Throwable cause) {
    super(render(problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** @return every problem, one line each, in the order reported */
  public List<String> problems() {
    return problems;
  }

  private static String render(List<String> problems) {
    StringBuilder sb = new StringBuilder("invalid Sluice configuration (").append(problems.size())
        .append(problems.size() == 1 ? " problem):" : " problems):");
    problems.forEach(p -> sb.append("\n  ").append(p));
    return sb.toString();
  }
}
