package dev.sluice.internal;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Looks enum constants up by the lower-case labels configuration files use. Not API. */
public final class Labels {
  private Labels() {}

  /**
   * The constant of {@code type} whose label is {@code text}, ignoring case and surrounding blanks.
   *
   * @param what for the message, e.g. {@code "overlap policy"}
   * @throws IllegalArgumentException naming the rejected text and the accepted labels
   */
  public static <E extends Enum<E>> E parse(Class<E> type, Function<E, String> label, String what, String text) {
    String t = text == null ? "" : text.trim();
    for (E e : type.getEnumConstants()) {
      if (label.apply(e).equalsIgnoreCase(t)) {
        return e;
      }
    }
    throw new IllegalArgumentException(what + " must be one of "
        + Arrays.stream(type.getEnumConstants()).map(label).collect(Collectors.joining(", "))
        + "; got '" + text + "'");
  }
}
