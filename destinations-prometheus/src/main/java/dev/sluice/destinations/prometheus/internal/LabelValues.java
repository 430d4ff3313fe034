package dev.sluice.destinations.prometheus.internal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns record values into label values and sample values. Stateless and thread-safe.
 *
 * <p>Label values: a string is taken as it is, a number or boolean as its JSON text. Then control
 * characters (NUL, newlines, tabs, C1 controls) become a space, unpaired surrogates become U+FFFD,
 * and the value is cut to at most {@code maxLength} characters (never inside a surrogate pair).
 * Objects and arrays are refused: a label holds one value.
 */
public final class LabelValues {
  private LabelValues() {}

  /** A record value that can't become a sample or a label; the message says why. */
  public static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;

    public Refusal(String message) {
      super(message, null, false, false);
    }
  }

  /** The sanitised label value of {@code node}. */
  public static String label(JsonNode node, String defaultValue, int maxLength, String what) throws Refusal {
    if (node == null || node.isNull() || node.isMissingNode()) {
      if (defaultValue != null) {
        return sanitize(defaultValue, maxLength);
      }
      throw new Refusal(what + " is missing or null in the record (give the label a default to accept such records)");
    }
    if (!node.isValueNode() || node.isBinary()) {
      throw new Refusal(what + " must be a string, number or boolean, got " + (node.isArray() ? "an array" : "an object"));
    }
    return sanitize(node.asText(), maxLength);
  }

  /** {@code raw} with control characters as spaces, lone surrogates replaced, cut to {@code maxLength}. */
  public static String sanitize(String raw, int maxLength) {
    StringBuilder out = new StringBuilder(Math.min(raw.length(), maxLength));
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
          if (out.length() + 2 > maxLength) {
            break;
          }
          out.append(c).append(raw.charAt(++i));
          continue;
        }
        c = '\uFFFD';
      } else if (Character.isLowSurrogate(c)) {
        c = '\uFFFD';
      } else if (Character.isISOControl(c)) {
        c = ' ';
      }
      if (out.length() + 1 > maxLength) {
        break;
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * The sample value of {@code node}: a JSON number, or a string holding a decimal number (GA4's
   * Data API returns metric values as strings). NaN and infinities are refused.
   */
  public static double value(JsonNode node, String what) throws Refusal {
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw new Refusal(what + " is missing or null in the record");
    }
    double v;
    if (node.isNumber()) {
      v = node.doubleValue();
    } else if (node.isTextual()) {
      String s = node.asText().trim();
      if (!s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
        throw new Refusal(what + " must be a number, got the text " + quote(s));
      }
      v = Double.parseDouble(s);
    } else {
      throw new Refusal(what + " must be a number, got " + (node.isBoolean() ? "a boolean"
          : node.isArray() ? "an array" : node.isObject() ? "an object" : node.getNodeType().toString()));
    }
    if (!Double.isFinite(v)) {
      throw new Refusal(what + " must be a finite number, got " + quote(node.asText()));
    }
    return v;
  }

  private static String quote(String s) {
    return "\"" + sanitize(s, 40) + (s.length() > 40 ? "..." : "") + "\"";
  }
}
