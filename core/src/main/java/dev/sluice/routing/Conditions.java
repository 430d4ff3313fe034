package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles conditions. The expression language (see {@code docs/user-guide/router.md}):
 *
 * <ul>
 *   <li>operands: JSONPath ({@code $.customer.country}, {@code $.items[*].sku}, {@code
 *       $['odd key']}), numbers, {@code 'strings'} or {@code "strings"}, {@code true}, {@code
 *       false}, {@code null}, lists {@code ['DE', 'AT']}, regular expressions {@code /@test\./i};
 *   <li>comparisons: {@code == != < <= > >=}, {@code in}/{@code nin} a list, {@code =~} a regex
 *       (found anywhere unless anchored), {@code contains}, {@code startsWith}, {@code endsWith},
 *       and the tests {@code exists($.x)} / {@code $.x exists} and {@code empty($.x)} / {@code $.x
 *       empty};
 *   <li>logic: {@code &&}/{@code and}, {@code ||}/{@code or}, {@code !}/{@code not}, parentheses;
 *   <li>a bare JSONPath is a test: true when a definite path holds {@code true}, or when an
 *       indefinite path (filter, wildcard) matches anything — so a Jayway filter such as {@code
 *       $[?(@.amount > 10000)]} works as a condition.
 * </ul>
 *
 * Values compare as {@link Values} describes. Compilation happens once, when the pipeline is
 * built; syntax errors throw {@link ConditionSyntaxException} with a caret under the error.
 *
 * <p>Thread-safe.
 */
public final class Conditions {
  private Conditions() {}

  /**
   * Compiles an expression.
   *
   * @param expression the expression (see the class comment)
   * @return the compiled condition, immutable
   * @throws ConditionSyntaxException when the expression does not compile
   */
  public static CompiledCondition compile(String expression) {
    return compile(expression, new PathCache());
  }

  /**
   * Compiles an expression, sharing compiled paths through {@code paths}.
   *
   * @param expression the expression (see the class comment)
   * @param paths the cache to compile and share paths with
   * @return the compiled condition, immutable
   * @throws ConditionSyntaxException when the expression does not compile
   */
  public static CompiledCondition compile(String expression, PathCache paths) {
    return new CompiledCondition(expression, new ConditionParser(expression, paths).parse());
  }

  /**
   * Compiles the structured form: a string expression, {@code true}/{@code false}, or an object
   * with one key of {@code all} (list), {@code any} (list), {@code not} (condition) or {@code rule}
   * (a custom rule plugin: its type, or an object with {@code type} and options).
   *
   * @param structured the condition in its YAML/JSON form
   * @param paths the cache to compile and share paths with
   * @return the compiled condition, immutable; its {@link CompiledCondition#source()} is the text
   *     of a string condition or the JSON of a structured one
   * @throws ConditionSyntaxException for a bad expression inside
   * @throws IllegalArgumentException for a bad structure, naming the JSON pointer of the problem
   */
  public static CompiledCondition compile(JsonNode structured, PathCache paths) {
    return new CompiledCondition(
        structured.isTextual() ? structured.textValue() : structured.toString(),
        node(structured, "", paths));
  }

  private static Expr.Node node(JsonNode n, String pointer, PathCache paths) {
    if (n.isTextual()) {
      return new ConditionParser(n.textValue(), paths).parse();
    }
    if (n.isBoolean()) {
      return new Expr.Constant(n.booleanValue());
    }
    if (!n.isObject() || n.size() != 1) {
      throw new IllegalArgumentException(where(pointer) + "a condition is an expression string or an"
          + " object with one key: all, any, not or rule");
    }
    String key = n.fieldNames().next();
    JsonNode value = n.get(key);
    switch (key) {
      case "all":
      case "any":
        if (!value.isArray() || value.isEmpty()) {
          throw new IllegalArgumentException(where(pointer + "/" + key) + "'" + key + "' needs a non-empty list of conditions");
        }
        List<Expr.Node> parts = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
          parts.add(node(value.get(i), pointer + "/" + key + "/" + i, paths));
        }
        return key.equals("all") ? new Expr.And(parts) : new Expr.Or(parts);
      case "not":
        return new Expr.Not(node(value, pointer + "/not", paths));
      case "rule":
        if (value.isTextual()) {
          return new Expr.RuleCall(value.textValue(), null, null);
        }
        if (value.isObject() && value.path("type").isTextual()) {
          ObjectNode options = ((ObjectNode) value).deepCopy();
          options.remove("type");
          return new Expr.RuleCall(value.get("type").textValue(), options, null);
        }
        throw new IllegalArgumentException(where(pointer + "/rule") + "'rule' needs a plugin type, or an object with 'type' and options");
      default:
        throw new IllegalArgumentException(where(pointer) + "unknown key '" + key + "' (expected all, any, not or rule)");
    }
  }

  private static String where(String pointer) {
    return pointer.isEmpty() ? "" : pointer + ": ";
  }

}
