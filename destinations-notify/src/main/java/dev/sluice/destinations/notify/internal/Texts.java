package dev.sluice.destinations.notify.internal;

/** Cutting text to a size limit without splitting a surrogate pair. Not API. */
public final class Texts {
  /** Appended where text was cut. */
  public static final String ELLIPSIS = "…";

  private Texts() {}

  /** {@code s} when it has at most {@code max} chars, else its start and {@link #ELLIPSIS}, {@code max} chars in all. */
  public static String cut(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int end = Math.max(0, max - ELLIPSIS.length());
    if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + ELLIPSIS;
  }

  /** Whether {@code s} holds a character that ends or folds a header line (CR, LF) or NUL. */
  public static boolean hasLineBreakOrNul(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == '\u0000' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return true;
      }
    }
    return false;
  }
}
