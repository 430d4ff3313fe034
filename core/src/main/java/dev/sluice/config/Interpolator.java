package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.routing.Values;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${env:NAME}}, {@code ${env:NAME:-default}}, {@code ${file:path}} and {@code
 * ${secret:name}} in every string of a configuration tree. {@code $${} writes a literal {@code ${}.
 *
 * <p>A value that is one whole variable and resolves to a number or {@code true}/{@code false}
 * takes that type, so {@code batchSize: ${env:BATCH:-100}} is the integer 100. Values that came
 * from secrets or files are remembered as sensitive: messages never show them.
 *
 * <p>Not thread-safe; one per load.
 */
final class Interpolator {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\$\\{|\\$\\{([^}]*)}");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Looks up a stored secret's plaintext by name. */
  interface SecretLookup {
    Optional<String> find(String name);

    /** Names for "known: ..." hints; never values. */
    List<String> names();
  }

  private final Function<String, String> env;
  private final SecretLookup secrets; // null: leave ${secret:...} for later
  private final Map<String, LocatedTree.Location> locations;
  private final List<ConfigProblem> problems;
  private final Set<String> sensitive;
  /** Pointers of values left untouched because they hold a {@code ${secret:…}} and no store was given. */
  private final Set<String> deferred = new java.util.TreeSet<>();

  Interpolator(Function<String, String> env, SecretLookup secrets, Map<String, LocatedTree.Location> locations,
      List<ConfigProblem> problems, Set<String> sensitive) {
    this.env = env;
    this.secrets = secrets;
    this.locations = locations;
    this.problems = problems;
    this.sensitive = sensitive;
  }

  /**
   * The values a store-less pass left untouched because they hold a {@code ${secret:…}}: exactly
   * these go to {@link #applyToPending}. Decided by the pass itself, never by searching the results
   * for {@code ${secret:}: text an environment variable or a file brought in is never interpolated
   * again (fuzz finding: an env value holding {@code ${…}} was re-read as variables).
   */
  Set<String> deferred() {
    return java.util.Collections.unmodifiableSet(deferred);
  }

  /**
   * Resolves the values a first, store-less pass {@linkplain #deferred() deferred}: that pass left
   * them untouched, so each is resolved exactly once.
   */
  void applyToPending(ObjectNode root, Set<String> pointers) {
    for (String pointer : pointers) {
      JsonNode v = root.at(pointer);
      if (v.isTextual()) {
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = root.at(pointer.substring(0, slash));
        String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
        JsonNode resolved = resolve(v.textValue(), pointer);
        if (parent instanceof ObjectNode) {
          ((ObjectNode) parent).set(last, resolved);
        } else if (parent instanceof ArrayNode) {
          ((ArrayNode) parent).set(Integer.parseInt(last), resolved);
        }
      }
    }
  }

  /** Interpolates {@code node} in place. */
  void apply(JsonNode node, String pointer) {
    if (node instanceof ObjectNode) {
      ObjectNode o = (ObjectNode) node;
      for (Map.Entry<String, JsonNode> e : o.properties()) {
        String child = pointer + "/" + LocatedTree.segment(e.getKey());
        if (e.getValue().isTextual()) {
          e.setValue(resolve(e.getValue().textValue(), child));
        } else {
          apply(e.getValue(), child);
        }
      }
    } else if (node instanceof ArrayNode) {
      ArrayNode a = (ArrayNode) node;
      for (int i = 0; i < a.size(); i++) {
        String child = pointer + "/" + i;
        if (a.get(i).isTextual()) {
          a.set(i, resolve(a.get(i).textValue(), child));
        } else {
          apply(a.get(i), child);
        }
      }
    }
  }

  private JsonNode resolve(String text, String pointer) {
    if (!text.contains("${")) {
      return F.textNode(text);
    }
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    int last = 0;
    int variables = 0;
    boolean wholeValue = false;
    while (m.find()) {
      out.append(text, last, m.start());
      last = m.end();
      if (m.group(0).equals("$${")) {
        out.append("${");
        continue;
      }
      variables++;
      wholeValue = m.start() == 0 && m.end() == text.length();
      String value = variable(m.group(1), m.group(0), pointer);
      if (value == null) {
        return F.textNode(text); // a problem was reported, or a secret is left for later
      }
      out.append(value);
    }
    out.append(text.substring(last));
    String result = out.toString();
    if (variables == 1 && wholeValue) {
      if (result.equals("true") || result.equals("false")) {
        return F.booleanNode(Boolean.parseBoolean(result));
      }
      java.math.BigDecimal number;
      try {
        number = Values.asNumber(result);
      } catch (NumberFormatException e) {
        number = null; // an exponent beyond what BigDecimal holds (fuzz finding): it stays text
      }
      if (number != null) {
        // As long: with an exponent near Integer.MAX_VALUE, precision - scale overflows an int (fuzz finding).
        long integerDigits = (long) number.precision() - number.scale();
        if (number.scale() <= 0 && integerDigits < 10
            && number.compareTo(java.math.BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0
            && number.compareTo(java.math.BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0) {
          return F.numberNode(number.intValueExact());
        }
        return number.scale() <= 0 && integerDigits < 19
            ? F.numberNode(number.longValueExact()) : F.numberNode(number);
      }
    }
    return F.textNode(result);
  }

  /** @return the value, or null when it can't (or must not yet) be resolved */
  private String variable(String body, String written, String pointer) {
    int colon = body.indexOf(':');
    String kind = colon < 0 ? body : body.substring(0, colon);
    String rest = colon < 0 ? "" : body.substring(colon + 1);
    switch (kind) {
      case "env": {
        String name = rest;
        String fallback = null;
        int dflt = rest.indexOf(":-");
        if (dflt >= 0) {
          name = rest.substring(0, dflt);
          fallback = rest.substring(dflt + 2);
        }
        if (name.isEmpty()) {
          return problem(pointer, written + " names no variable (write ${env:NAME})");
        }
        String value = env.apply(name);
        if (value != null && !value.isEmpty()) {
          return value;
        }
        if (fallback != null) {
          return fallback;
        }
        return problem(pointer, "unresolved " + written + ": environment variable " + name
            + " is not set (set it, or give a default: ${env:" + name + ":-value})");
      }
      case "file": {
        if (rest.isEmpty()) {
          return problem(pointer, written + " names no file (write ${file:path})");
        }
        LocatedTree.Location at = locations.get(pointer);
        Path base = at == null || at.file() == null ? Path.of(".") : Path.of(at.file()).toAbsolutePath().getParent();
        Path file = base.resolve(rest);
        try {
          sensitive.add(pointer);
          return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          return problem(pointer, "unresolved " + written + ": can't read '" + rest + "' next to the configuration file ("
              + e.getClass().getSimpleName() + ")");
        }
      }
      case "secret": {
        if (rest.isEmpty()) {
          return problem(pointer, written + " names no secret (write ${secret:name})");
        }
        sensitive.add(pointer);
        if (secrets == null) {
          deferred.add(pointer);
          return null; // resolved once the store is open
        }
        Optional<String> value = secrets.find(rest);
        if (value.isEmpty()) {
          List<String> known = secrets.names();
          return problem(pointer, "unresolved " + written + ": no secret named '" + rest + "' in the store"
              + (known.isEmpty() ? " (it holds none; add one with: sluice secret set " + rest + ")"
                  : " (known: " + String.join(", ", known) + ")"));
        }
        return value.get();
      }
      default:
        return problem(pointer, "unknown variable " + written + " (expected ${env:NAME}, ${env:NAME:-default},"
            + " ${file:path} or ${secret:name})");
    }
  }

  private String problem(String pointer, String message) {
    problems.add(Locations.problem(locations, pointer, message));
    return null;
  }
}
