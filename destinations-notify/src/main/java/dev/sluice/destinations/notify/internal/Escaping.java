package dev.sluice.destinations.notify.internal;

import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;

/** How values from records are escaped where a template inserts them. Not API. */
public enum Escaping {
  /** Plain text (email subjects and text bodies): inserted as they are. */
  NONE(s -> s),
  /**
   * Slack mrkdwn: {@code &}, {@code <} and {@code >} become {@code &amp;}, {@code &lt;} and {@code
   * &gt;}, as Slack documents, so a value can't open a {@code <!channel>}, {@code <@U123>} or {@code
   * <http://…|link>} of its own.
   */
  SLACK_MRKDWN(Escaping::mrkdwn),
  /** Slack mrkdwn inside a JSON string of a Block Kit template: mrkdwn first, then JSON-string escaping. */
  SLACK_BLOCKS_JSON(s -> jsonString(mrkdwn(s))),
  /** HTML (email HTML bodies): {@code & < > " ' ` =} become entities. */
  HTML(Escapers.HTML::escape);

  private final Mustache.Escaper escaper;

  Escaping(Mustache.Escaper escaper) {
    this.escaper = escaper;
  }

  public Mustache.Escaper escaper() {
    return escaper;
  }

  public String escape(String value) {
    return escaper.escape(value);
  }

  /** Slack's documented escaping of the three control characters of its message format. */
  public static String mrkdwn(String s) {
    StringBuilder out = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : null;
      if (rep != null && out == null) {
        out = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      if (out != null) {
        if (rep != null) {
          out.append(rep);
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? s : out.toString();
  }

  /** The content of a JSON string literal (without the quotes). */
  public static String jsonString(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
