package dev.sluice.config;

import java.util.Comparator;
import java.util.Objects;

/**
 * One thing wrong with a configuration, with where it is: {@code sluice.yaml:14:7
 * /pipelines/orders/rules/0/when: unknown operator '=>' (...)}.
 *
 * @param file the file name as given, or null when the problem is not tied to a file
 * @param line 1-based, or 0 when unknown
 * @param column 1-based, or 0 when unknown
 * @param pointer the JSON pointer of the offending value, "" for the root
 * @param message what is wrong and what was expected; never contains a secret value
 */
public record ConfigProblem(String file, int line, int column, String pointer, String message)
    implements Comparable<ConfigProblem> {

  private static final Comparator<ConfigProblem> ORDER = Comparator
      .comparing((ConfigProblem p) -> p.file == null ? "" : p.file)
      .thenComparingInt(p -> p.line)
      .thenComparingInt(p -> p.column)
      .thenComparing(p -> p.pointer)
      .thenComparing(p -> p.message);

  /**
   * Checks the components.
   *
   * @param file the file name as given, or null when the problem is not tied to a file
   * @param line 1-based, or 0 when unknown
   * @param column 1-based, or 0 when unknown
   * @param pointer the JSON pointer of the offending value, "" for the root
   * @param message what is wrong and what was expected; never contains a secret value
   * @throws NullPointerException when {@code pointer} or {@code message} is null
   */
  public ConfigProblem {
    Objects.requireNonNull(pointer, "pointer");
    Objects.requireNonNull(message, "message");
  }

  /** {@code file:line:column /pointer message}, the form tools and people read. */
  @Override
  public String toString() {
    String where = file == null ? "<config>" : file + ":" + line + ":" + column;
    return where + " " + (pointer.isEmpty() ? "/" : pointer) + ": " + message;
  }

  @Override
  public int compareTo(ConfigProblem o) {
    return ORDER.compare(this, o);
  }
}
