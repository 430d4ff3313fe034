package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import dev.sluice.spi.Rule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/** The compiled form of conditions: boolean nodes over operands. Package-private; immutable. */
final class Expr {
  private Expr() {}

  /** A boolean node. */
  interface Node {
    /**
     * @param root the document the paths start at
     * @param record the record being routed (for custom rules)
     * @param trace where comparisons are reported, or null (the fast path: nothing allocated)
     */
    boolean test(JsonNode root, Record record, List<ConditionTrace> trace);

    /** This node with custom rules bound; {@code this} when it has none. */
    default Node bind(RuleResolver resolver) {
      return this;
    }
  }

  /** A value: path, literal or list. */
  interface Operand {
    /** The value, or null when missing. */
    JsonNode value(JsonNode root);

    String text();
  }

  // --- operands ------------------------------------------------------------------------------

  static final class PathOperand implements Operand {
    final JsonPathExpression path;

    PathOperand(JsonPathExpression path) {
      this.path = path;
    }

    @Override
    public JsonNode value(JsonNode root) {
      return path.evaluate(root);
    }

    boolean isDefinite() {
      return path.isDefinite();
    }

    @Override
    public String text() {
      return path.text();
    }
  }

  static final class Literal implements Operand {
    final JsonNode value;
    final String text;

    Literal(JsonNode value, String text) {
      this.value = value;
      this.text = text;
    }

    @Override
    public JsonNode value(JsonNode root) {
      return value;
    }

    @Override
    public String text() {
      return text;
    }
  }

  /** {@code ['DE', 'AT']}: kept as an array node, with hash sets for fast membership. */
  static final class ListLiteral implements Operand {
    final JsonNode array;
    final String text;
    final Set<String> strings = new HashSet<>();
    final Set<BigDecimal> numbers = new HashSet<>();
    final boolean fast;

    ListLiteral(JsonNode array, String text) {
      this.array = array;
      this.text = text;
      boolean onlyPlain = true;
      for (JsonNode item : array) {
        if (item.isTextual()) {
          strings.add(item.textValue());
          BigDecimal n = Values.asNumber(item.textValue());
          if (n != null) {
            numbers.add(n.stripTrailingZeros());
          }
          onlyPlain &= Values.asInstant(item.textValue()) == null;
        } else if (item.isNumber()) {
          numbers.add(Values.decimal(item).stripTrailingZeros());
        } else {
          onlyPlain = false;
        }
      }
      this.fast = onlyPlain;
    }

    @Override
    public JsonNode value(JsonNode root) {
      return array;
    }

    @Override
    public String text() {
      return text;
    }

    /** Membership with {@link Values#equal} semantics. */
    boolean contains(JsonNode v) {
      if (!fast) {
        return anyEqual(array, v);
      }
      if (v.isTextual()) {
        if (strings.contains(v.textValue())) {
          return true;
        }
        BigDecimal n = Values.asNumber(v.textValue());
        return n != null && numbers.contains(n.stripTrailingZeros());
      }
      if (v.isNumber()) {
        return numbers.contains(Values.decimal(v).stripTrailingZeros());
      }
      return false;
    }
  }

  static boolean anyEqual(JsonNode array, JsonNode v) {
    for (JsonNode item : array) {
      if (Values.equal(v, item)) {
        return true;
      }
    }
    return false;
  }

  // --- boolean nodes -------------------------------------------------------------------------

  static final class And implements Node {
    final Node[] parts;

    And(List<Node> parts) {
      this.parts = parts.toArray(new Node[0]);
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      for (Node p : parts) {
        if (!p.test(root, record, trace)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public Node bind(RuleResolver resolver) {
      return new And(bindAll(parts, resolver));
    }
  }

  static final class Or implements Node {
    final Node[] parts;

    Or(List<Node> parts) {
      this.parts = parts.toArray(new Node[0]);
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      for (Node p : parts) {
        if (p.test(root, record, trace)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Node bind(RuleResolver resolver) {
      return new Or(bindAll(parts, resolver));
    }
  }

  static List<Node> bindAll(Node[] parts, RuleResolver resolver) {
    List<Node> out = new ArrayList<>(parts.length);
    for (Node p : parts) {
      out.add(p.bind(resolver));
    }
    return out;
  }

  static final class Not implements Node {
    final Node inner;

    Not(Node inner) {
      this.inner = inner;
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      return !inner.test(root, record, trace);
    }

    @Override
    public Node bind(RuleResolver resolver) {
      return new Not(inner.bind(resolver));
    }
  }

  /** A binary comparison. */
  static final class Compare implements Node {
    // Operators by index: the hot path switches on an int, not on the operator's text.
    static final List<String> OPS =
        List.of("==", "!=", "<", "<=", ">", ">=", "in", "nin", "=~", "contains", "startsWith", "endsWith");
    static final int EQ = 0;
    static final int NE = 1;
    static final int LT = 2;
    static final int LE = 3;
    static final int GT = 4;
    static final int GE = 5;
    static final int IN = 6;
    static final int NIN = 7;
    static final int MATCHES = 8;
    static final int CONTAINS = 9;
    static final int STARTS_WITH = 10;
    static final int ENDS_WITH = 11;

    final Operand left;
    final String op;
    final Operand right;
    final Regex regex; // for =~
    /** The operator, and for an indefinite left path the positive form of != and nin; see OPS. */
    final int code;
    final int positiveCode;
    /**
     * The right operand when it is a string literal that is neither a number nor a date: then
     * {@link Values#equal} with it is plain string equality, and the hot path skips the rest.
     */
    final String plainTextRight;
    final boolean leftIndefinite;
    final long integralRight; // fast numeric path when rightIsSmallLong
    final boolean rightIsSmallLong;
    final BigDecimal decimalRight; // the same literal, for decimal values on the left

    Compare(Operand left, String op, Operand right, Regex regex) {
      this.left = left;
      this.op = op;
      this.right = right;
      this.regex = regex;
      this.code = code(op);
      this.positiveCode = code(op.equals("!=") ? "==" : op.equals("nin") ? "in" : op);
      JsonNode literal = right instanceof Literal ? ((Literal) right).value : null;
      this.plainTextRight = literal != null && literal.isTextual() && Values.asNumber(literal.textValue()) == null
          && Values.asInstant(literal.textValue()) == null ? literal.textValue() : null;
      this.leftIndefinite = left instanceof PathOperand && !((PathOperand) left).isDefinite();
      JsonNode r = right instanceof Literal ? ((Literal) right).value : null;
      this.rightIsSmallLong = r != null && r.isIntegralNumber() && r.canConvertToLong()
          && Math.abs(r.longValue()) < (1L << 53);
      this.integralRight = rightIsSmallLong ? r.longValue() : 0;
      this.decimalRight = rightIsSmallLong ? BigDecimal.valueOf(integralRight) : null;
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      JsonNode l = left.value(root);
      JsonNode r = right.value(root);
      boolean result;
      if (leftIndefinite) {
        // Any match: `$.items[*].sku == 'X'` holds when one item's sku is 'X'.
        boolean any = false;
        for (JsonNode item : l) {
          if (apply(positiveCode, item, r)) {
            any = true;
            break;
          }
        }
        result = (code != positiveCode) != any;
      } else {
        result = apply(code, l, r);
      }
      if (trace != null) {
        trace.add(new ConditionTrace(left.text(), copy(l), op, right.text(),
            right instanceof Literal || right instanceof ListLiteral ? null : copy(r), result));
      }
      return result;
    }

    private boolean apply(int operator, JsonNode l, JsonNode r) {
      switch (operator) {
        case EQ:
          return plainTextRight != null ? l != null && l.isTextual() && plainTextRight.equals(l.textValue())
              : Values.equal(l, r);
        case NE:
          return plainTextRight != null ? !(l != null && l.isTextual() && plainTextRight.equals(l.textValue()))
              : !Values.equal(l, r);
        case LT:
        case LE:
        case GT:
        case GE:
          String ordered = OPS.get(operator);
          if (rightIsSmallLong && l != null && l.isNumber()) {
            int cmp = l.isIntegralNumber() && l.canConvertToLong()
                ? Long.compare(l.longValue(), integralRight)
                : l.isDouble() || l.isFloat()
                    ? Double.compare(checkFinite(l.doubleValue()), (double) integralRight)
                    : l.decimalValue().compareTo(decimalRight);
            return Values.ordered(ordered, cmp);
          }
          return Values.ordered(ordered, Values.compare(l, r));
        case IN:
          return in(l, r);
        case NIN:
          return !in(l, r);
        case MATCHES:
          return l != null && l.isValueNode() && !l.isNull() && regex.find(l.asText());
        case CONTAINS:
          if (l == null || l.isNull() || r == null) {
            return false;
          }
          if (l.isArray()) {
            return anyEqual(l, r);
          }
          if (l.isTextual() && r.isValueNode()) {
            return l.textValue().contains(r.asText());
          }
          throw new RoutingException("'contains' needs a string or an array on the left, got " + Values.describe(l));
        case STARTS_WITH:
        case ENDS_WITH:
          if (l == null || l.isNull() || r == null || r.isNull()) {
            return false;
          }
          if (!l.isValueNode() || !r.isValueNode()) {
            throw new RoutingException("'" + OPS.get(operator) + "' needs strings, got " + Values.describe(l)
                + " and " + Values.describe(r));
          }
          return operator == STARTS_WITH ? l.asText().startsWith(r.asText()) : l.asText().endsWith(r.asText());
        default:
          throw new IllegalStateException("unknown operator " + operator);
      }
    }

    private static int code(String op) {
      int code = OPS.indexOf(op);
      if (code < 0) {
        throw new IllegalArgumentException("unknown operator " + op);
      }
      return code;
    }

    private boolean in(JsonNode l, JsonNode r) {
      if (l == null || r == null || r.isNull()) {
        return false;
      }
      if (right instanceof ListLiteral) {
        return ((ListLiteral) right).contains(l);
      }
      if (!r.isArray()) {
        throw new RoutingException("'in' needs a list on the right, got " + Values.describe(r));
      }
      return anyEqual(r, l);
    }

    private static double checkFinite(double d) {
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw new RoutingException("cannot compare " + d);
      }
      return d;
    }
  }

  /** A test of one operand's value: {@code exists}, {@code empty}, or a bare path. */
  static final class UnaryTest implements Node {
    final Operand operand;
    final String label;
    final Predicate<JsonNode> test;

    private UnaryTest(Operand operand, String label, Predicate<JsonNode> test) {
      this.operand = operand;
      this.label = label;
      this.test = test;
    }

    /** {@code exists($.x)}: the path matches something (possibly null). */
    static UnaryTest exists(PathOperand path) {
      return new UnaryTest(path, "exists", path.isDefinite() ? v -> v != null : v -> v.size() > 0);
    }

    /** {@code empty($.x)}: missing, null, "", [] or {}. */
    static UnaryTest empty(Operand operand) {
      return new UnaryTest(operand, "empty", Values::isEmpty);
    }

    /** A bare path: true when a definite path is {@code true}, or an indefinite path matches. */
    static UnaryTest truthy(PathOperand path) {
      return new UnaryTest(path, "is true", path.isDefinite() ? Values::isTrue : v -> v.size() > 0);
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      JsonNode v = operand.value(root);
      boolean result = test.test(v);
      if (trace != null) {
        trace.add(new ConditionTrace(operand.text(), copy(v), label, null, null, result));
      }
      return result;
    }
  }

  /** A constant, from {@code true} / {@code false} literals. */
  static final class Constant implements Node {
    final boolean value;

    Constant(boolean value) {
      this.value = value;
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      return value;
    }
  }

  /** A custom {@link Rule} plugin used as a condition; bound when Sluice is built. */
  static final class RuleCall implements Node {
    final String type;
    final ObjectNode options;
    final Rule rule;

    RuleCall(String type, ObjectNode options, Rule rule) {
      this.type = Objects.requireNonNull(type);
      this.options = options == null ? JsonNodeFactory.instance.objectNode() : options;
      this.rule = rule;
    }

    @Override
    public boolean test(JsonNode root, Record record, List<ConditionTrace> trace) {
      if (rule == null) {
        throw new IllegalStateException("custom rule '" + type + "' was not bound to a plugin");
      }
      boolean result;
      try {
        result = rule.matches(record);
      } catch (RuntimeException e) {
        throw new RoutingException("custom rule '" + type + "' failed: " + e, e);
      } catch (Exception e) {
        throw new RoutingException("custom rule '" + type + "' failed: " + e, e);
      }
      if (trace != null) {
        trace.add(new ConditionTrace("rule " + type, null, "matches", null, null, result));
      }
      return result;
    }

    @Override
    public Node bind(RuleResolver resolver) {
      return new RuleCall(type, options, resolver.resolve(type, options));
    }
  }

  private static JsonNode copy(JsonNode v) {
    return v == null ? null : v.deepCopy();
  }
}
