package dev.sluice.destinations.email.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The records of a message as CSV (RFC 4180) or JSON Lines. Not API. */
public final class Attachments {
  private Attachments() {}

  /**
   * CSV with a header of every top-level field in order of first appearance; nested values as JSON;
   * text starting with {@code = + - @}, a tab or a CR is prefixed with {@code '} so a spreadsheet
   * does not run it as a formula.
   */
  public static String csv(Batch batch, List<Integer> indexes) {
    Set<String> columns = new LinkedHashSet<>();
    for (int i : indexes) {
      batch.get(i).data().fieldNames().forEachRemaining(columns::add);
    }
    StringBuilder out = new StringBuilder();
    boolean first = true;
    for (String c : columns) {
      out.append(first ? "" : ",").append(cell(c, true));
      first = false;
    }
    out.append("\r\n");
    for (int i : indexes) {
      ObjectNode data = batch.get(i).data();
      first = true;
      for (String c : columns) {
        JsonNode v = data.get(c);
        String text = v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
        out.append(first ? "" : ",").append(cell(text, v != null && v.isTextual()));
        first = false;
      }
      out.append("\r\n");
    }
    return out.toString();
  }

  private static String cell(String text, boolean isText) {
    String t = text;
    if (isText && !t.isEmpty() && "=+-@\t\r".indexOf(t.charAt(0)) >= 0) {
      t = "'" + t;
    }
    boolean quote = t.indexOf(',') >= 0 || t.indexOf('"') >= 0 || t.indexOf('\n') >= 0 || t.indexOf('\r') >= 0
        || (!t.isEmpty() && (t.charAt(0) == ' ' || t.charAt(t.length() - 1) == ' '));
    return quote ? '"' + t.replace("\"", "\"\"") + '"' : t;
  }

  /** One JSON object per line. */
  public static String jsonl(Batch batch, List<Integer> indexes) {
    StringBuilder out = new StringBuilder();
    for (int i : indexes) {
      out.append(batch.get(i).data().toString()).append('\n');
    }
    return out.toString();
  }
}
