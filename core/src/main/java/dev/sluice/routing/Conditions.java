package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles condition expressions. This first version understands one comparison of a definite
 * JSONPath with a literal: {@code $.path OP literal} with {@code == != < <= > >=}.
 */
public final class Conditions {
  private Conditions() {}

  /**
   * @throws ConditionSyntaxException with the position of the error
   */
  public static Condition compile(String expression) {
    String s = expression;
    int i = skip(s, 0);
    if (i >= s.length() || s.charAt(i) != '$') {
      throw new ConditionSyntaxException(expression, i, "expected a JSONPath starting with '$'");
    }
    List<Object> path = new ArrayList<>();
    i++;
    while (i < s.length() && (s.charAt(i) == '.' || s.charAt(i) == '[')) {
      if (s.charAt(i) == '.') {
        int start = ++i;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
          i++;
        }
        if (start == i) {
          throw new ConditionSyntaxException(expression, i, "expected a field name");
        }
        path.add(s.substring(start, i));
      } else {
        int start = ++i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
          i++;
        }
        if (start == i || i >= s.length() || s.charAt(i) != ']') {
          throw new ConditionSyntaxException(expression, i, "expected an array index and ']'");
        }
        path.add(Integer.parseInt(s.substring(start, i)));
        i++;
      }
    }
    i = skip(s, i);
    int opStart = i;
    while (i < s.length() && "=!<>".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    String op = s.substring(opStart, i);
    if (!List.of("==", "!=", "<", "<=", ">", ">=").contains(op)) {
      throw new ConditionSyntaxException(
          expression, opStart, "expected an operator (== != < <= > >=), found '" + op + "'");
    }
    i = skip(s, i);
    String literal = s.substring(i).trim();
    if (literal.isEmpty()) {
      throw new ConditionSyntaxException(expression, i, "expected a value");
    }
    Object value;
    if (literal.startsWith("'") || literal.startsWith("\"")) {
      value = literal.substring(1, literal.length() - 1);
    } else {
      try {
        value = new BigDecimal(literal);
      } catch (NumberFormatException e) {
        throw new ConditionSyntaxException(expression, i, "expected a number or a quoted string");
      }
    }
    return record -> {
      JsonNode node = record.data();
      for (Object step : path) {
        node = step instanceof String ? node.path((String) step) : node.path((Integer) step);
      }
      if (node.isMissingNode() || node.isNull()) {
        return op.equals("!=");
      }
      int cmp;
      if (value instanceof BigDecimal && node.isNumber()) {
        cmp = node.decimalValue().compareTo((BigDecimal) value);
      } else {
        cmp = node.asText().compareTo(value.toString());
      }
      switch (op) {
        case "==":
          return cmp == 0;
        case "!=":
          return cmp != 0;
        case "<":
          return cmp < 0;
        case "<=":
          return cmp <= 0;
        case ">":
          return cmp > 0;
        default:
          return cmp >= 0;
      }
    };
  }

  private static int skip(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }
}
