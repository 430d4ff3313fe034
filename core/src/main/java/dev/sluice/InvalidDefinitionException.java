package dev.sluice;

import java.util.List;

/** A definition can't be built; lists every problem found, one per line. */
public class InvalidDefinitionException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /** @serial the problems, one per entry */
  private final List<String> problems;

  /**
   * Creates the exception; the message lists every problem.
   *
   * @param problems the problems, not empty
   */
  public InvalidDefinitionException(List<String> problems) {
    super(problems.size() == 1
        ? "invalid Sluice definition: " + problems.get(0)
        : "invalid Sluice definition, " + problems.size() + " problems:\n  - "
            + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * Every problem found.
   *
   * @return an unmodifiable list of messages
   */
  public List<String> problems() {
    return problems;
  }
}
