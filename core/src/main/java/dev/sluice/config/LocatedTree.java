package dev.sluice.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A configuration document as a JSON tree, with the file, line and column of every value and of
 * every object key, by JSON pointer. Built from YAML or JSON; duplicate keys are problems.
 *
 * <p>Not thread-safe while being built; read-only afterwards.
 */
final class LocatedTree {
  /** Where something is written. */
  record Location(String file, int line, int column) {}

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonFactory JSON = new JsonFactory();

  final ObjectNode root;
  /** Location of the value at a pointer. */
  final Map<String, Location> values;
  /** Location of the key that introduces the value at a pointer (objects only). */
  final Map<String, Location> keys;

  LocatedTree(ObjectNode root, Map<String, Location> values, Map<String, Location> keys) {
    this.root = root;
    this.values = values;
    this.keys = keys;
  }

  static LocatedTree empty() {
    return new LocatedTree(F.objectNode(), new HashMap<>(), new HashMap<>());
  }

  /**
   * Parses a document.
   *
   * @param name the file name used in locations
   * @param problems where syntax problems and duplicate keys go
   * @return the tree, or null when it could not be parsed
   */
  static LocatedTree parse(String name, String content, List<ConfigProblem> problems) {
    boolean json = name.toLowerCase(Locale.ROOT).endsWith(".json");
    Map<String, Location> values = new HashMap<>();
    Map<String, Location> keys = new HashMap<>();
    try (JsonParser p = (json ? JSON : YAML).createParser(content)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return new LocatedTree(F.objectNode(), values, keys); // empty file
      }
      Reader reader = new Reader(name, p, values, keys, problems);
      JsonNode node = reader.read("");
      if (!node.isObject()) {
        problems.add(new ConfigProblem(name, 1, 1, "", "a configuration file holds a mapping (keys like"
            + " store:, destinations:, pipelines:), found " + kind(node)));
        return null;
      }
      return new LocatedTree((ObjectNode) node, values, keys);
    } catch (JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      String hint = !json && content.contains("${") && content.contains("{")
          ? " (inside { } mappings, quote values that contain ${...}: key: \"${env:NAME}\")" : "";
      problems.add(new ConfigProblem(name, l == null ? 0 : l.getLineNr(), l == null ? 0 : l.getColumnNr(), "",
          "not valid " + (json ? "JSON" : "YAML") + ": " + oneLine(e.getOriginalMessage()) + hint));
      return null;
    } catch (IOException e) {
      problems.add(new ConfigProblem(name, 0, 0, "", "can't read: " + e.getMessage()));
      return null;
    }
  }

  /** The parser's explanation without its multi-line excerpts (the location says where). */
  static String oneLine(String message) {
    List<String> parts = new java.util.ArrayList<>();
    for (String line : message.split("\\R")) {
      if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
        parts.add(line.strip());
      }
    }
    return String.join("; ", parts);
  }

  static String kind(JsonNode n) {
    if (n.isObject()) {
      return "a mapping";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "a string";
    }
    if (n.isIntegralNumber()) {
      return "an integer";
    }
    if (n.isNumber()) {
      return "a number";
    }
    if (n.isBoolean()) {
      return "a boolean";
    }
    return "null";
  }

  /** Escapes one JSON pointer segment. */
  static String segment(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static final class Reader {
    final String file;
    final JsonParser p;
    final Map<String, Location> values;
    final Map<String, Location> keys;
    final List<ConfigProblem> problems;

    Reader(String file, JsonParser p, Map<String, Location> values, Map<String, Location> keys,
        List<ConfigProblem> problems) {
      this.file = file;
      this.p = p;
      this.values = values;
      this.keys = keys;
      this.problems = problems;
    }

    Location here() {
      JsonLocation l = p.currentTokenLocation();
      return new Location(file, l.getLineNr(), l.getColumnNr());
    }

    /** Reads the value at the current token. */
    JsonNode read(String pointer) throws IOException {
      values.put(pointer, here());
      JsonToken t = p.currentToken();
      switch (t) {
        case START_OBJECT: {
          ObjectNode o = F.objectNode();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            String child = pointer + "/" + segment(key);
            Location keyAt = here();
            p.nextToken();
            Location first = keys.get(child);
            JsonNode value = read(child);
            if (o.has(key)) {
              problems.add(new ConfigProblem(file, keyAt.line(), keyAt.column(), child,
                  "duplicate key '" + key + "' (first at line " + (first == null ? "?" : first.line()) + ")"));
              continue;
            }
            keys.put(child, keyAt);
            o.set(key, value);
          }
          return o;
        }
        case START_ARRAY: {
          ArrayNode a = F.arrayNode();
          int i = 0;
          while (p.nextToken() != JsonToken.END_ARRAY) {
            a.add(read(pointer + "/" + i++));
          }
          return a;
        }
        case VALUE_STRING:
          return F.textNode(p.getText());
        case VALUE_NUMBER_INT:
          // The narrowest type, as the builder's Map.of(..., 160) gives: equal definitions compare equal.
          switch (p.getNumberType()) {
            case INT:
              return F.numberNode(p.getIntValue());
            case LONG:
              return F.numberNode(p.getLongValue());
            default:
              return F.numberNode(p.getBigIntegerValue());
          }
        case VALUE_NUMBER_FLOAT:
          return F.numberNode(p.getDecimalValue());
        case VALUE_TRUE:
          return F.booleanNode(true);
        case VALUE_FALSE:
          return F.booleanNode(false);
        case VALUE_NULL:
          return F.nullNode();
        default:
          throw new IOException("unexpected " + t);
      }
    }
  }
}
