package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses condition expressions into {@link Expr} nodes. Grammar (lowest precedence first):
 *
 * <pre>
 * expr       := and ( ('||' | 'or') and )*
 * and        := unary ( ('&amp;&amp;' | 'and') unary )*
 * unary      := ('!' | 'not') unary | '(' expr ')' | test
 * test       := 'exists' '(' path ')' | 'empty' '(' operand ')'
 *             | operand [ 'exists' | 'empty' | OP operand ]
 * OP         := == != &lt; &lt;= &gt; &gt;= in nin =~ contains startsWith endsWith
 * operand    := path | number | 'string' | "string" | true | false | null | [ literal, ... ] | /regex/flags
 * </pre>
 *
 * Not thread-safe; one parser per expression.
 */
final class ConditionParser {
  static final String OPERATORS = "== != < <= > >= in nin =~ contains startsWith endsWith exists empty";
  private static final Set<String> WORD_OPERATORS =
      Set.of("in", "nin", "contains", "startsWith", "endsWith", "exists", "empty");
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final String src;
  private final PathCache paths;
  private int pos;

  ConditionParser(String src, PathCache paths) {
    this.src = src;
    this.paths = paths;
  }

  Expr.Node parse() {
    skipSpace();
    if (pos >= src.length()) {
      throw error(pos, "empty condition");
    }
    Expr.Node node = parseOr();
    skipSpace();
    if (pos < src.length()) {
      throw error(pos, unexpected());
    }
    return node;
  }

  private Expr.Node parseOr() {
    List<Expr.Node> parts = new ArrayList<>();
    parts.add(parseAnd());
    while (acceptSymbol("||") || acceptWord("or")) {
      parts.add(parseAnd());
    }
    return parts.size() == 1 ? parts.get(0) : new Expr.Or(parts);
  }

  private Expr.Node parseAnd() {
    List<Expr.Node> parts = new ArrayList<>();
    parts.add(parseUnary());
    while (acceptSymbol("&&") || acceptWord("and")) {
      parts.add(parseUnary());
    }
    return parts.size() == 1 ? parts.get(0) : new Expr.And(parts);
  }

  private Expr.Node parseUnary() {
    skipSpace();
    if (peekSymbol("!") && !peekSymbol("!=")) {
      pos++;
      return new Expr.Not(parseUnary());
    }
    if (acceptWord("not")) {
      return new Expr.Not(parseUnary());
    }
    if (peekSymbol("(")) {
      int open = pos++;
      Expr.Node inner = parseOr();
      skipSpace();
      if (!acceptSymbol(")")) {
        throw error(pos < src.length() ? pos : open, pos < src.length() ? "expected ')'" : "unclosed '('");
      }
      return inner;
    }
    return parseTest();
  }

  private Expr.Node parseTest() {
    skipSpace();
    int start = pos;
    if (peekWord("exists") || peekWord("empty")) {
      String fn = readWord();
      skipSpace();
      if (!acceptSymbol("(")) {
        throw error(pos, "expected '(' after " + fn);
      }
      Expr.Operand operand = parseOperand(false);
      skipSpace();
      if (!acceptSymbol(")")) {
        throw error(pos, "expected ')'");
      }
      return unaryTest(fn, operand, start);
    }
    Expr.Operand left = parseOperand(false);
    skipSpace();
    if (pos >= src.length() || peekSymbol(")") || peekSymbol("&&") || peekSymbol("||")
        || peekWord("and") || peekWord("or")) {
      return bare(left, start);
    }
    int opPos = pos;
    String op = readOperator();
    if (op.equals("exists") || op.equals("empty")) {
      return unaryTest(op, left, start);
    }
    skipSpace();
    int rightPos = pos;
    Expr.Operand right = parseOperand(op.equals("=~"));
    Regex regex = null;
    if (op.equals("=~")) {
      regex = right instanceof Expr.Literal && ((Expr.Literal) right).value.isTextual()
          ? compileRegex(((Expr.Literal) right).value.textValue(), "", rightPos, null)
          : null;
      if (right instanceof RegexOperand) {
        regex = ((RegexOperand) right).regex;
      }
      if (regex == null) {
        throw error(opPos, "=~ needs a regular expression on the right, like /@example\\.com$/i");
      }
    }
    if ((op.equals("in") || op.equals("nin")) && right instanceof Expr.Literal) {
      throw error(rightPos, "'" + op + "' needs a list like ['DE', 'AT'] or a path to an array");
    }
    return new Expr.Compare(left, op, right, regex);
  }

  private Expr.Node unaryTest(String fn, Expr.Operand operand, int start) {
    if (fn.equals("exists")) {
      if (!(operand instanceof Expr.PathOperand)) {
        throw error(start, "exists needs a path, like exists($.email)");
      }
      return Expr.UnaryTest.exists((Expr.PathOperand) operand);
    }
    return Expr.UnaryTest.empty(operand);
  }

  private Expr.Node bare(Expr.Operand operand, int start) {
    if (operand instanceof Expr.PathOperand) {
      return Expr.UnaryTest.truthy((Expr.PathOperand) operand);
    }
    if (operand instanceof Expr.Literal && ((Expr.Literal) operand).value.isBoolean()) {
      return new Expr.Constant(((Expr.Literal) operand).value.booleanValue());
    }
    throw error(start, "a value alone is not a condition: compare it with an operator (" + OPERATORS + ")");
  }

  private String readOperator() {
    int start = pos;
    char c = src.charAt(pos);
    if (Character.isLetter(c)) {
      String word = readWord();
      if (WORD_OPERATORS.contains(word)) {
        return word;
      }
      String hint = suggest(word);
      throw error(start, "unknown operator '" + word + "' (expected one of " + OPERATORS + ")"
          + (hint == null ? "" : "; did you mean '" + hint + "'?"));
    }
    while (pos < src.length() && "=!<>~&|".indexOf(src.charAt(pos)) >= 0) {
      pos++;
    }
    String op = src.substring(start, pos);
    switch (op) {
      case "==":
      case "!=":
      case "<":
      case "<=":
      case ">":
      case ">=":
      case "=~":
        return op;
      case "=":
        throw error(start, "unknown operator '=' (expected one of " + OPERATORS + "); did you mean '=='?");
      case "":
        throw error(start, unexpected() + " (expected an operator: " + OPERATORS + ")");
      default:
        throw error(start, "unknown operator '" + op + "' (expected one of " + OPERATORS + ")");
    }
  }

  private static String suggest(String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    for (String w : WORD_OPERATORS) {
      if (w.toLowerCase(Locale.ROOT).equals(lower)) {
        return w;
      }
    }
    if (lower.equals("matches") || lower.equals("like")) {
      return "=~";
    }
    if (lower.equals("notin") || lower.equals("not_in")) {
      return "nin";
    }
    return null;
  }

  /** A regex literal operand. */
  static final class RegexOperand implements Expr.Operand {
    final Regex regex;
    final String text;
    private final JsonNode value;

    RegexOperand(Regex regex, String text) {
      this.regex = regex;
      this.text = text;
      this.value = F.textNode(regex.pattern());
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

  private Expr.Operand parseOperand(boolean regexAllowed) {
    skipSpace();
    if (pos >= src.length()) {
      throw error(pos, "expected a value or a path");
    }
    int start = pos;
    char c = src.charAt(pos);
    if (c == '$' || c == '@') {
      String path = readPath();
      try {
        return new Expr.PathOperand(paths.get(path));
      } catch (IllegalArgumentException e) {
        throw error(start, e.getMessage());
      }
    }
    if (c == '/' && regexAllowed) {
      return readRegex();
    }
    if (c == '[') {
      return readList();
    }
    JsonNode literal = readLiteral();
    return new Expr.Literal(literal, src.substring(start, pos));
  }

  private JsonNode readLiteral() {
    int start = pos;
    char c = src.charAt(pos);
    if (c == '\'' || c == '"') {
      return F.textNode(readString());
    }
    if (c == '-' || Character.isDigit(c)) {
      pos++;
      while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || ".eE+-".indexOf(src.charAt(pos)) >= 0)) {
        pos++;
      }
      String number = src.substring(start, pos);
      BigDecimal value = Values.asNumber(number);
      if (value == null) {
        throw error(start, "'" + number + "' is not a number");
      }
      if (value.scale() <= 0 && value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
          && value.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
        return F.numberNode(value.longValueExact());
      }
      return F.numberNode(value);
    }
    if (Character.isLetter(c)) {
      String word = readWord();
      switch (word) {
        case "true":
          return F.booleanNode(true);
        case "false":
          return F.booleanNode(false);
        case "null":
          return F.nullNode();
        default:
          throw error(start, "unexpected '" + word + "': strings need quotes ('" + word + "'), paths start with $");
      }
    }
    throw error(start, unexpected());
  }

  private String readString() {
    char quote = src.charAt(pos);
    int start = pos++;
    StringBuilder sb = new StringBuilder();
    while (pos < src.length()) {
      char c = src.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c == '\\' && pos < src.length()) {
        char e = src.charAt(pos++);
        switch (e) {
          case 'n':
            sb.append('\n');
            break;
          case 't':
            sb.append('\t');
            break;
          default:
            sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
    throw error(start, "unclosed string");
  }

  private Expr.Operand readList() {
    int start = pos++;
    ArrayNode items = F.arrayNode();
    skipSpace();
    if (acceptSymbol("]")) {
      return new Expr.ListLiteral(items, src.substring(start, pos));
    }
    while (true) {
      skipSpace();
      if (pos >= src.length()) {
        throw error(start, "unclosed list");
      }
      items.add(readLiteral());
      skipSpace();
      if (acceptSymbol("]")) {
        return new Expr.ListLiteral(items, src.substring(start, pos));
      }
      if (!acceptSymbol(",")) {
        throw error(pos, pos < src.length() ? "expected ',' or ']' in the list" : "unclosed list");
      }
    }
  }

  private Expr.Operand readRegex() {
    int start = pos++;
    StringBuilder sb = new StringBuilder();
    // where each character of the pattern is in the condition, for the caret under an error
    int[] at = new int[src.length()];
    while (pos < src.length() && src.charAt(pos) != '/') {
      int from = pos;
      char c = src.charAt(pos++);
      if (c == '\\' && pos < src.length()) {
        char next = src.charAt(pos++);
        if (next != '/') {
          at[sb.length()] = from;
          sb.append('\\');
        }
        at[sb.length()] = from + 1;
        sb.append(next);
      } else {
        at[sb.length()] = from;
        sb.append(c);
      }
    }
    if (pos >= src.length()) {
      throw error(start, "unclosed regular expression (it ends with /)");
    }
    pos++;
    int flagsStart = pos;
    while (pos < src.length() && Character.isLetter(src.charAt(pos))) {
      pos++;
    }
    String flags = src.substring(flagsStart, pos);
    return new RegexOperand(compileRegex(sb.toString(), flags, start, at), src.substring(start, pos));
  }

  /**
   * @param start where the operand starts in the condition
   * @param at where each pattern character is in the condition, or null
   */
  private Regex compileRegex(String regex, String flags, int start, int[] at) {
    try {
      return Regex.compile(regex, flags);
    } catch (Regex.RegexSyntaxException e) {
      int position = e.index >= 0 && at != null && e.index < regex.length() ? at[e.index] : start;
      String problem = e.getMessage();
      throw error(position, problem.startsWith("invalid regular expression") || problem.startsWith("unknown")
          ? problem : "unsupported regular expression: " + problem);
    }
  }

  /** Reads a JSONPath up to the first space or operator outside brackets and quotes. */
  private String readPath() {
    int start = pos;
    int depth = 0;
    while (pos < src.length()) {
      char c = src.charAt(pos);
      if (c == '\'' || c == '"') {
        int q = src.indexOf(c, pos + 1);
        if (q < 0) {
          throw error(pos, "unclosed string in path");
        }
        pos = q + 1;
        continue;
      }
      if (c == '[' || c == '(') {
        depth++;
      } else if (c == ']' || c == ')') {
        if (depth == 0) {
          break;
        }
        depth--;
      } else if (depth == 0 && (Character.isWhitespace(c) || "=!<>&|,".indexOf(c) >= 0)) {
        break;
      }
      pos++;
    }
    if (depth > 0) {
      throw error(start, "unclosed bracket in path");
    }
    return src.substring(start, pos);
  }

  private String readWord() {
    int start = pos;
    while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    return src.substring(start, pos);
  }

  private boolean peekWord(String word) {
    if (!src.startsWith(word, pos)) {
      return false;
    }
    int end = pos + word.length();
    return end >= src.length() || !(Character.isLetterOrDigit(src.charAt(end)) || src.charAt(end) == '_');
  }

  private boolean acceptWord(String word) {
    skipSpace();
    if (peekWord(word)) {
      pos += word.length();
      return true;
    }
    return false;
  }

  private boolean peekSymbol(String symbol) {
    return src.startsWith(symbol, pos);
  }

  private boolean acceptSymbol(String symbol) {
    skipSpace();
    if (peekSymbol(symbol)) {
      pos += symbol.length();
      return true;
    }
    return false;
  }

  private void skipSpace() {
    while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
      pos++;
    }
  }

  private String unexpected() {
    if (pos >= src.length()) {
      return "unexpected end of condition";
    }
    return "unexpected '" + src.charAt(pos) + "'";
  }

  private ConditionSyntaxException error(int at, String problem) {
    return new ConditionSyntaxException(src, Math.min(at, src.length()), problem);
  }
}
