package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a configuration tree against {@link ConfigSchema} and turns the validator's findings
 * into {@link ConfigProblem}s that say what was expected, with "did you mean" for unknown keys.
 */
final class SchemaCheck {
  private static final String NAME_RULE =
      "a name is 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit";
  private final ObjectNode schemaJson;
  private final Schema schema;

  SchemaCheck(ObjectNode schemaJson) {
    this.schemaJson = schemaJson;
    this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson);
  }

  List<ConfigProblem> check(JsonNode config, LocatedTree located, Set<String> sensitive) {
    Set<ConfigProblem> out = new LinkedHashSet<>();
    for (Error e : schema.validate(config)) {
      String pointer = pointer(e.getInstanceLocation());
      String keyword = e.getKeyword();
      if ("if".equals(keyword) || "allOf".equals(keyword) || "then".equals(keyword) || "$ref".equals(keyword)) {
        continue; // wrappers: the specific error is reported on its own
      }
      if ("propertyNames".equals(keyword) && e.getProperty() != null) {
        String child = pointer + "/" + LocatedTree.segment(e.getProperty());
        LocatedTree.Location l = located.keys.get(child);
        String message = "name '" + e.getProperty() + "' is not valid: " + NAME_RULE;
        out.add(l != null ? new ConfigProblem(l.file(), l.line(), l.column(), child, message)
            : Locations.problem(located.values, child, message));
        continue;
      }
      if ("additionalProperties".equals(keyword) && e.getProperty() != null) {
        String key = e.getProperty();
        String child = pointer + "/" + LocatedTree.segment(key);
        List<String> allowed = ConfigSchema.propertyNames(schemaJson, schemaParent(e));
        String hint = DidYouMean.suggest(key, allowed);
        LocatedTree.Location l = located.keys.get(child);
        String message = "unknown key '" + key + "'" + (hint != null ? "; did you mean '" + hint + "'?"
            : allowed.isEmpty() ? "" : " (expected one of " + String.join(", ", allowed) + ")");
        out.add(l != null ? new ConfigProblem(l.file(), l.line(), l.column(), child, message)
            : Locations.problem(located.values, child, message));
        continue;
      }
      out.add(Locations.problem(located.values, pointer, message(e, pointer, config, sensitive)));
    }
    return new ArrayList<>(out);
  }

  private String message(Error e, String pointer, JsonNode config, Set<String> sensitive) {
    JsonNode value = config.at(pointer);
    Object[] args = e.getArguments() == null ? new Object[0] : e.getArguments();
    switch (e.getKeyword()) {
      case "required":
        return "missing required key '" + (e.getProperty() != null ? e.getProperty() : args.length > 0 ? args[0] : "?") + "'";
      case "type":
        return "expected " + schemaTypes(e.getSchemaNode()) + ", found " + LocatedTree.kind(value);
      case "enum": {
        List<String> allowed = new ArrayList<>();
        e.getSchemaNode().forEach(v -> allowed.add(v.asText()));
        String shown = sensitive.contains(pointer) ? "(hidden)" : "'" + value.asText() + "'";
        String hint = value.isTextual() ? DidYouMean.suggest(value.asText(), allowed) : null;
        return shown + " is not one of " + String.join(", ", allowed) + (hint != null ? "; did you mean '" + hint + "'?" : "");
      }
      case "minimum":
        return "must be at least " + e.getSchemaNode().asText() + ", found " + (sensitive.contains(pointer) ? "(hidden)" : value);
      case "pattern":
        if (e.getSchemaNode().asText().equals(ConfigSchema.NAME_PATTERN)) {
          return NAME_RULE;
        }
        if (e.getSchemaNode().asText().startsWith("^(\\d+")) {
          return "expected a duration such as 500ms, 30s, 5m, 2h or PT30S, found "
              + (sensitive.contains(pointer) ? "(hidden)" : "'" + value.asText() + "'");
        }
        return "does not match the expected form " + e.getSchemaNode().asText();
      case "minProperties":
      case "maxProperties":
        return "expected exactly one key here";
      default:
        String m = e.getMessage();
        int colon = m.indexOf(": ");
        String text = colon > 0 && m.startsWith("$") ? m.substring(colon + 2) : m;
        return sensitive.contains(pointer) ? e.getKeyword() + " check failed (value hidden)" : text;
    }
  }

  private static String schemaTypes(JsonNode typeNode) {
    List<String> types = new ArrayList<>();
    if (typeNode.isArray()) {
      typeNode.forEach(t -> types.add(t.asText()));
    } else {
      types.add(typeNode.asText());
    }
    List<String> words = new ArrayList<>();
    for (String t : types) {
      words.add(switch (t) {
        case "object" -> "a mapping";
        case "array" -> "a list";
        case "integer" -> "an integer";
        case "number" -> "a number";
        case "boolean" -> "true or false";
        default -> "a " + t;
      });
    }
    return String.join(" or ", words);
  }

  /** The pointer (into the schema) of the object schema holding the failed keyword. */
  private static String schemaParent(Error e) {
    NodePath fragment = e.getSchemaLocation().getFragment();
    String p = pointer(fragment);
    int slash = p.lastIndexOf('/');
    return slash < 0 ? "" : p.substring(0, slash);
  }

  static String pointer(NodePath path) {
    if (path == null) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < path.getNameCount(); i++) {
      Object element = path.getElement(i);
      sb.append('/').append(element instanceof Integer ? element.toString() : LocatedTree.segment(String.valueOf(element)));
    }
    return sb.toString();
  }
}
