package dev.sluice.auth.keycloak.internal;

import java.util.regex.Pattern;

/** Renders values that came from outside (role names, error codes) safe for one log line. */
public final class LogSafe {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 _.:/@+=-]{0,64}");

  private LogSafe() {}

  /** The value if it is short and plain, otherwise a neutral placeholder (never the value itself). */
  public static String plain(String value) {
    if (value == null) {
      return "(none)";
    }
    return PLAIN.matcher(value).matches() ? value : "(" + value.length() + " chars, not shown)";
  }
}
