package dev.sluice.pipeline;

import java.util.regex.Pattern;

/** The rule for names of pipelines, destinations and rules. */
final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private Names() {}

  static String check(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " name must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or"
              + " digit; got " + (name == null ? "null" : "'" + name + "'"));
    }
    return name;
  }
}
