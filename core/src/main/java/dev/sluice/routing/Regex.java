package dev.sluice.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A compiled regular expression of a condition ({@code =~}), with RE2 syntax and semantics: the
 * pattern is <em>found</em> anywhere in the value unless anchored, {@code ^}/{@code $} are the
 * start/end of the value (of a line with flag {@code m}), {@code .} is any character but {@code \n}
 * (any with flag {@code s}), {@code i} folds case by Unicode simple case folding. Matching always
 * takes time linear in the length of the value: there is no backtracking, so no pattern can be made
 * to run for exponential (or quadratic) time by the data it is applied to.
 *
 * <p>Three engines, picked when the pattern is compiled, with identical results (checked by {@code
 * RegexPropertyTest}):
 *
 * <ol>
 *   <li>{@link Engine#LITERAL}: the pattern is one or a few literal strings, possibly anchored,
 *       after a leading/trailing {@code .*} is dropped (under find semantics {@code .*x} is found
 *       exactly where {@code x} is): {@code String.equals/startsWith/endsWith/contains};
 *   <li>{@link Engine#AUTOMATON}: a position automaton (Glushkov) of at most 64 character
 *       positions, simulated with bit sets — one pass over the value, no backtracking;
 *   <li>{@link Engine#RE2J}: everything else RE2 accepts, by RE2/J (also linear time, slower).
 * </ol>
 *
 * <p>Immutable and thread-safe.
 */
final class Regex {
  /** Which engine a pattern runs on. */
  enum Engine {
    LITERAL,
    AUTOMATON,
    RE2J
  }

  private final String pattern;
  private final String flags;
  private final Matcher matcher;

  private Regex(String pattern, String flags, Matcher matcher) {
    this.pattern = pattern;
    this.flags = flags;
    this.matcher = matcher;
  }

  /**
   * Compiles a pattern.
   *
   * @param flags any of {@code i}, {@code m}, {@code s}
   * @throws RegexSyntaxException for invalid or unsupported syntax, with the index in {@code
   *     pattern}
   */
  static Regex compile(String pattern, String flags) {
    Objects.requireNonNull(pattern, "pattern");
    boolean fold = false;
    boolean multiLine = false;
    boolean dotAll = false;
    int re2Flags = 0;
    for (char f : flags.toCharArray()) {
      switch (f) {
        case 'i' -> {
          fold = true;
          re2Flags |= com.google.re2j.Pattern.CASE_INSENSITIVE;
        }
        case 'm' -> {
          multiLine = true;
          re2Flags |= com.google.re2j.Pattern.MULTILINE;
        }
        case 's' -> {
          dotAll = true;
          re2Flags |= com.google.re2j.Pattern.DOTALL;
        }
        default -> throw new RegexSyntaxException(-1, "unknown regular expression flag '" + f + "' (use i, m or s)");
      }
    }
    Unsupported.check(pattern);
    if (fold) {
      Unsupported.checkFoldedRanges(pattern);
    }
    com.google.re2j.Pattern re2;
    try {
      re2 = com.google.re2j.Pattern.compile(pattern, re2Flags);
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw new RegexSyntaxException(-1, "invalid regular expression: " + e.getDescription()
          + (e.getMessage().contains(": `") ? " " + e.getMessage().substring(e.getMessage().indexOf('`')) : ""));
    }
    Matcher fast = null;
    try {
      Node root = new Parser(pattern, fold, dotAll).parse();
      fast = root == null || multiLine && root.hasAnchor() ? null : Fast.of(root, dotAll);
    } catch (RuntimeException e) {
      fast = null; // anything the fast paths don't understand runs on RE2/J
    }
    return new Regex(pattern, flags, fast != null ? fast : new Re2(re2));
  }

  /** Whether the pattern is found in {@code input}. */
  boolean find(String input) {
    return matcher.find(input);
  }

  String pattern() {
    return pattern;
  }

  String flags() {
    return flags;
  }

  Engine engine() {
    return matcher.engine();
  }

  @Override
  public String toString() {
    return "/" + pattern + "/" + flags;
  }

  /** A regular expression the parser refuses; {@code index} is into the pattern, or -1. */
  static final class RegexSyntaxException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int index;

    RegexSyntaxException(int index, String message) {
      super(message);
      this.index = index;
    }
  }

  // --- engines ---------------------------------------------------------------------------------

  private interface Matcher {
    boolean find(String input);

    Engine engine();
  }

  private static final class Re2 implements Matcher {
    private final ThreadLocal<com.google.re2j.Matcher> matchers;

    Re2(com.google.re2j.Pattern pattern) {
      // A matcher per thread, reset for each value: patterns are shared, matchers are not thread-safe.
      this.matchers = ThreadLocal.withInitial(() -> pattern.matcher(""));
    }

    @Override
    public boolean find(String input) {
      return matchers.get().reset(input).find();
    }

    @Override
    public Engine engine() {
      return Engine.RE2J;
    }
  }

  /** Any of several branches (a top-level alternation) matches. */
  private static final class AnyOf implements Matcher {
    private final Matcher[] branches;

    AnyOf(List<Matcher> branches) {
      this.branches = branches.toArray(new Matcher[0]);
    }

    @Override
    public boolean find(String input) {
      for (Matcher m : branches) {
        if (m.find(input)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Engine engine() {
      for (Matcher m : branches) {
        if (m.engine() == Engine.AUTOMATON) {
          return Engine.AUTOMATON;
        }
      }
      return Engine.LITERAL;
    }
  }

  /** Literal strings: equal to, starting with, ending with or containing one of them. */
  private static final class Literal implements Matcher {
    private final String[] literals;
    private final boolean start;
    private final boolean end;

    Literal(List<String> literals, boolean start, boolean end) {
      this.literals = literals.toArray(new String[0]);
      this.start = start;
      this.end = end;
    }

    @Override
    public boolean find(String input) {
      for (String l : literals) {
        boolean hit = start ? (end ? input.equals(l) : input.startsWith(l))
            : end ? input.endsWith(l) : input.contains(l);
        if (hit) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Engine engine() {
      return Engine.LITERAL;
    }
  }

  /**
   * A Glushkov position automaton: each position is one character set of the pattern; the state
   * is the set of positions just matched, a {@code long}. One step per code point of the input.
   */
  private static final class Automaton implements Matcher {
    private final CharSet[] positions;
    private final long[] follow;
    private final long first;
    private final long last;
    private final boolean nullable;
    private final boolean start;
    private final boolean end;
    private final long[] latin1 = new long[256]; // masks of the commonest characters, precomputed

    Automaton(CharSet[] positions, long[] follow, long first, long last, boolean nullable, boolean start,
        boolean end) {
      this.positions = positions;
      this.follow = follow;
      this.first = first;
      this.last = last;
      this.nullable = nullable;
      this.start = start;
      this.end = end;
      for (int c = 0; c < latin1.length; c++) {
        latin1[c] = maskOf(c);
      }
    }

    private long maskOf(int cp) {
      long m = 0;
      for (int p = 0; p < positions.length; p++) {
        if (positions[p].contains(cp)) {
          m |= 1L << p;
        }
      }
      return m;
    }

    @Override
    public boolean find(String s) {
      int n = s.length();
      if (nullable && (!end || n == 0 || !start)) {
        return true; // the empty match: at the start, or at the end when only the end is anchored
      }
      long state = 0;
      int i = 0;
      while (i < n) {
        int cp = s.charAt(i);
        int width = 1;
        if (Character.isSurrogate((char) cp)) {
          cp = s.codePointAt(i);
          width = Character.charCount(cp);
        }
        long reach = 0;
        for (long st = state; st != 0; st &= st - 1) {
          reach |= follow[Long.numberOfTrailingZeros(st)];
        }
        if (!start || i == 0) {
          reach |= first;
        }
        state = reach & (cp < 256 ? latin1[cp] : maskOf(cp));
        i += width;
        if ((state & last) != 0 && (!end || i == n)) {
          return true;
        }
        if (state == 0 && start) {
          return false;
        }
      }
      return false;
    }

    @Override
    public Engine engine() {
      return Engine.AUTOMATON;
    }
  }

  // --- the fast paths' view of a pattern ---------------------------------------------------

  /** Builds the fast matcher of a parsed pattern, or returns null when it needs RE2/J. */
  private static final class Fast {
    private static final int MAX_POSITIONS = 64;
    private static final int MAX_LITERALS = 16;

    static Matcher of(Node root, boolean dotAll) {
      List<Node> branches = root instanceof Alt ? ((Alt) root).parts : List.of(root);
      List<Matcher> matchers = new ArrayList<>();
      for (Node branch : branches) {
        Matcher m = branch(branch, dotAll);
        if (m == null) {
          return null;
        }
        matchers.add(m);
      }
      return matchers.size() == 1 ? matchers.get(0) : new AnyOf(matchers);
    }

    private static Matcher branch(Node branch, boolean dotAll) {
      List<Node> items = new ArrayList<>(branch instanceof Concat ? ((Concat) branch).parts : List.of(branch));
      boolean start = !items.isEmpty() && items.get(0) == Anchor.BEGIN;
      if (start) {
        items.remove(0);
      }
      boolean end = !items.isEmpty() && items.get(items.size() - 1) == Anchor.END;
      if (end) {
        items.remove(items.size() - 1);
      }
      // Under find semantics a leading .* is found wherever what follows it is (it may match
      // nothing), and likewise a trailing one. Next to an anchor it must match up to the start or
      // end of the value, which only an "any character" .* (flag s) always can.
      while (!items.isEmpty() && isDotStar(items.get(0)) && (!start || dotAll)) {
        items.remove(0);
        start = false;
      }
      while (!items.isEmpty() && isDotStar(items.get(items.size() - 1)) && (!end || dotAll)) {
        items.remove(items.size() - 1);
        end = false;
      }
      Node body = items.size() == 1 ? items.get(0) : new Concat(items);
      if (body.hasAnchor()) {
        return null;
      }
      List<String> literals = literals(body);
      if (literals != null) {
        return new Literal(literals, start, end);
      }
      Glushkov g = new Glushkov();
      Glushkov.Frag f = g.build(body);
      if (f == null) {
        return null;
      }
      return new Automaton(g.positions.toArray(new CharSet[0]), g.follow(), f.first, f.last, f.nullable, start, end);
    }

    private static boolean isDotStar(Node n) {
      return n instanceof Repeat r && r.min == 0 && r.max < 0 && r.child instanceof Chars c && c.set.isDot;
    }

    /** The strings a node matches, when it is a small finite set of literals; else null. */
    private static List<String> literals(Node n) {
      if (n instanceof Chars c) {
        int cp = c.set.single();
        return cp < 0 ? null : List.of(new String(Character.toChars(cp)));
      }
      if (n instanceof Concat concat) {
        List<String> out = List.of("");
        for (Node part : concat.parts) {
          List<String> next = literals(part);
          if (next == null || out.size() * next.size() > MAX_LITERALS) {
            return null;
          }
          List<String> product = new ArrayList<>();
          for (String a : out) {
            for (String b : next) {
              product.add(a + b);
            }
          }
          out = product;
        }
        return out;
      }
      if (n instanceof Alt alt) {
        List<String> out = new ArrayList<>();
        for (Node part : alt.parts) {
          List<String> next = literals(part);
          if (next == null || out.size() + next.size() > MAX_LITERALS) {
            return null;
          }
          out.addAll(next);
        }
        return out;
      }
      if (n instanceof Repeat r && r.max == r.min && r.min <= 16) {
        List<Node> copies = new ArrayList<>();
        for (int i = 0; i < r.min; i++) {
          copies.add(r.child);
        }
        return literals(new Concat(copies));
      }
      if (n instanceof Repeat r && r.min == 0 && r.max == 1) {
        List<String> inner = literals(r.child);
        if (inner == null || inner.size() + 1 > MAX_LITERALS) {
          return null;
        }
        List<String> out = new ArrayList<>(inner);
        out.add("");
        return out;
      }
      return null;
    }
  }

  /** Builds position sets and follow sets, expanding counted repetition. */
  private static final class Glushkov {
    record Frag(boolean nullable, long first, long last) {}

    final List<CharSet> positions = new ArrayList<>();
    final List<Long> follows = new ArrayList<>();

    long[] follow() {
      long[] out = new long[follows.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = follows.get(i);
      }
      return out;
    }

    private void link(long from, long to) {
      for (long s = from; s != 0; s &= s - 1) {
        int p = Long.numberOfTrailingZeros(s);
        follows.set(p, follows.get(p) | to);
      }
    }

    /** Null when the pattern needs more than 64 positions. */
    Frag build(Node n) {
      if (n instanceof Chars c) {
        if (positions.size() == Fast.MAX_POSITIONS) {
          return null;
        }
        positions.add(c.set);
        follows.add(0L);
        long bit = 1L << (positions.size() - 1);
        return new Frag(false, bit, bit);
      }
      if (n instanceof Concat concat) {
        Frag acc = new Frag(true, 0, 0);
        for (Node part : concat.parts) {
          Frag f = build(part);
          if (f == null) {
            return null;
          }
          link(acc.last, f.first);
          acc = new Frag(acc.nullable && f.nullable, acc.nullable ? acc.first | f.first : acc.first,
              f.nullable ? acc.last | f.last : f.last);
        }
        return acc;
      }
      if (n instanceof Alt alt) {
        boolean nullable = false;
        long first = 0;
        long last = 0;
        for (Node part : alt.parts) {
          Frag f = build(part);
          if (f == null) {
            return null;
          }
          nullable |= f.nullable;
          first |= f.first;
          last |= f.last;
        }
        return new Frag(nullable, first, last);
      }
      if (n instanceof Repeat r) {
        if (r.star) { // x? and x*
          Frag f = build(r.child);
          if (f == null) {
            return null;
          }
          if (r.max < 0) {
            link(f.last, f.first);
          }
          return new Frag(true, f.first, f.last);
        }
        // x{n,m} = x^n (x?)^(m-n); x{n,} = x^n x*: the same language, which is all find needs.
        List<Node> parts = new ArrayList<>();
        for (int i = 0; i < r.min; i++) {
          parts.add(r.child);
        }
        if (r.max < 0) {
          parts.add(new Repeat(r.child, 0, -1, true));
        } else {
          for (int i = r.min; i < r.max; i++) {
            parts.add(new Repeat(r.child, 0, 1, true));
          }
        }
        return build(new Concat(parts));
      }
      if (n == Empty.INSTANCE) {
        return new Frag(true, 0, 0);
      }
      return null; // anchors inside: not for the automaton
    }
  }

  // --- syntax tree -------------------------------------------------------------------------

  private interface Node {
    default boolean hasAnchor() {
      return false;
    }
  }

  private enum Anchor implements Node {
    BEGIN,
    END;

    @Override
    public boolean hasAnchor() {
      return true;
    }
  }

  private enum Empty implements Node {
    INSTANCE
  }

  private record Chars(CharSet set) implements Node {}

  private record Concat(List<Node> parts) implements Node {
    @Override
    public boolean hasAnchor() {
      return parts.stream().anyMatch(Node::hasAnchor);
    }
  }

  private record Alt(List<Node> parts) implements Node {
    @Override
    public boolean hasAnchor() {
      return parts.stream().anyMatch(Node::hasAnchor);
    }
  }

  /**
   * {@code child{min,max}}, {@code max} -1 for unbounded; {@code star} marks the primitive forms
   * ({@code ?} and {@code *}) the automaton builds directly.
   */
  private record Repeat(Node child, int min, int max, boolean star) implements Node {
    Repeat(Node child, int min, int max) {
      this(child, min, max, min == 0 && (max < 0 || max == 1));
    }

    @Override
    public boolean hasAnchor() {
      return child.hasAnchor();
    }
  }

  /**
   * A set of code points: sorted, disjoint ranges, possibly negated. {@code isDot} marks {@code .}.
   */
  static final class CharSet {
    private final int[] ranges; // lo0, hi0, lo1, hi1, ...
    private final boolean negated;
    final boolean isDot;

    CharSet(int[] ranges, boolean negated, boolean isDot) {
      this.ranges = ranges;
      this.negated = negated;
      this.isDot = isDot;
    }

    boolean contains(int cp) {
      boolean in = false;
      for (int i = 0; i < ranges.length; i += 2) {
        if (cp >= ranges[i] && cp <= ranges[i + 1]) {
          in = true;
          break;
        }
      }
      return in != negated;
    }

    /** The one code point of a literal, or -1. */
    int single() {
      return !negated && ranges.length == 2 && ranges[0] == ranges[1] ? ranges[0] : -1;
    }
  }

  /**
   * Parses the subset of RE2 syntax the fast paths handle and returns null (RE2/J then runs the
   * pattern) for anything else: Unicode classes, POSIX classes, word boundaries, inline flags,
   * non-ASCII letters under {@code i}, ... The pattern has already been accepted by RE2/J.
   */
  private static final class Parser {
    private static final int MAX_REPEAT = 1000;
    private static final int MAX_DEPTH = 50;
    private final String src;
    private final boolean fold;
    private final boolean dotAll;
    private int pos;
    private int depth;

    Parser(String src, boolean fold, boolean dotAll) {
      this.src = src;
      this.fold = fold;
      this.dotAll = dotAll;
    }

    /** Thrown inside the parser to give up on the fast paths. */
    private static final class GiveUp extends RuntimeException {
      private static final long serialVersionUID = 1L;

      GiveUp() {
        super(null, null, false, false);
      }
    }

    Node parse() {
      try {
        Node n = alternation();
        return pos == src.length() ? n : null;
      } catch (GiveUp e) {
        return null;
      }
    }

    private Node alternation() {
      List<Node> parts = new ArrayList<>();
      parts.add(concatenation());
      while (pos < src.length() && src.charAt(pos) == '|') {
        pos++;
        parts.add(concatenation());
      }
      return parts.size() == 1 ? parts.get(0) : new Alt(parts);
    }

    private Node concatenation() {
      List<Node> parts = new ArrayList<>();
      while (pos < src.length() && src.charAt(pos) != '|' && src.charAt(pos) != ')') {
        parts.add(quantified());
      }
      return parts.isEmpty() ? Empty.INSTANCE : parts.size() == 1 ? parts.get(0) : new Concat(parts);
    }

    private Node quantified() {
      Node atom = atom();
      if (pos >= src.length()) {
        return atom;
      }
      char c = src.charAt(pos);
      int min;
      int max;
      if (c == '*' || c == '+' || c == '?') {
        pos++;
        min = c == '+' ? 1 : 0;
        max = c == '?' ? 1 : -1;
      } else if (c == '{') {
        int close = src.indexOf('}', pos);
        if (close < 0) {
          throw new GiveUp();
        }
        String body = src.substring(pos + 1, close);
        if (!body.matches("\\d{1,4}(,\\d{0,4})?")) {
          throw new GiveUp(); // a literal '{' in RE2; rare enough to leave to RE2/J
        }
        int comma = body.indexOf(',');
        min = Integer.parseInt(comma < 0 ? body : body.substring(0, comma));
        max = comma < 0 ? min : comma == body.length() - 1 ? -1 : Integer.parseInt(body.substring(comma + 1));
        if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) {
          throw new GiveUp();
        }
        pos = close + 1;
      } else {
        return atom;
      }
      if (pos < src.length() && src.charAt(pos) == '?') {
        pos++; // lazy: the same language
      }
      if (atom.hasAnchor() || atom == Empty.INSTANCE) {
        throw new GiveUp();
      }
      return new Repeat(atom, min, max);
    }

    private Node atom() {
      char c = src.charAt(pos);
      switch (c) {
        case '(' -> {
          if (++depth > MAX_DEPTH) {
            throw new GiveUp(); // RE2/J's parser keeps its own stack; this one recurses
          }
          pos++;
          if (src.startsWith("?:", pos)) {
            pos += 2;
          } else if (src.startsWith("?P<", pos) || src.startsWith("?<", pos)) {
            int close = src.indexOf('>', pos);
            if (close < 0) {
              throw new GiveUp();
            }
            pos = close + 1;
          } else if (src.startsWith("?", pos)) {
            throw new GiveUp(); // inline flags
          }
          Node inner = alternation();
          if (pos >= src.length() || src.charAt(pos) != ')') {
            throw new GiveUp();
          }
          pos++;
          depth--;
          return inner;
        }
        case '^' -> {
          pos++;
          return Anchor.BEGIN;
        }
        case '$' -> {
          pos++;
          return Anchor.END;
        }
        case '.' -> {
          pos++;
          return new Chars(dotAll ? new CharSet(new int[0], true, true) : new CharSet(new int[] {'\n', '\n'}, true, true));
        }
        case '[' -> {
          return new Chars(charClass());
        }
        case '\\' -> {
          return new Chars(escape());
        }
        case '*', '+', '?', '{', ')' -> throw new GiveUp();
        default -> {
          int cp = src.codePointAt(pos);
          pos += Character.charCount(cp);
          return new Chars(literal(cp));
        }
      }
    }

    private CharSet literal(int cp) {
      RangeList r = new RangeList();
      r.add(cp, cp);
      return r.toSet(false, fold);
    }

    /** An escape outside a class, as a set. */
    private CharSet escape() {
      RangeList r = new RangeList();
      boolean negated = escapeInto(r);
      return r.toSet(negated, fold);
    }

    /** Adds an escape's characters to {@code r}; returns true for a negated Perl class. */
    private boolean escapeInto(RangeList r) {
      pos++; // the backslash
      if (pos >= src.length()) {
        throw new GiveUp();
      }
      char e = src.charAt(pos++);
      switch (e) {
        case 'd' -> r.add('0', '9');
        case 'D' -> {
          r.add('0', '9');
          return true;
        }
        case 'w' -> word(r);
        case 'W' -> {
          word(r);
          return true;
        }
        case 's' -> space(r);
        case 'S' -> {
          space(r);
          return true;
        }
        case 'n' -> r.add('\n', '\n');
        case 't' -> r.add('\t', '\t');
        case 'r' -> r.add('\r', '\r');
        case 'f' -> r.add('\f', '\f');
        case 'v' -> r.add(0x0B, 0x0B);
        case 'a' -> r.add(0x07, 0x07);
        default -> {
          if (e < 128 && !Character.isLetterOrDigit(e)) {
            r.add(e, e); // an escaped punctuation character is itself
          } else {
            throw new GiveUp(); // \b \B \A \z \p \x \Q \C octal ...: RE2/J
          }
        }
      }
      return false;
    }

    private static void word(RangeList r) {
      r.add('0', '9');
      r.add('A', 'Z');
      r.add('_', '_');
      r.add('a', 'z');
    }

    private static void space(RangeList r) {
      // RE2's \s: [\t\n\f\r ] (no vertical tab, unlike java.util.regex)
      r.add('\t', '\n');
      r.add('\f', '\r');
      r.add(' ', ' ');
    }

    private CharSet charClass() {
      pos++; // [
      boolean negated = false;
      if (pos < src.length() && src.charAt(pos) == '^') {
        negated = true;
        pos++;
      }
      RangeList r = new RangeList();
      boolean firstItem = true;
      while (true) {
        if (pos >= src.length()) {
          throw new GiveUp();
        }
        char c = src.charAt(pos);
        if (c == ']' && !firstItem) {
          pos++;
          break;
        }
        firstItem = false;
        if (c == '[' && src.startsWith("[:", pos)) {
          throw new GiveUp(); // POSIX classes
        }
        int lo;
        if (c == '\\') {
          RangeList inner = new RangeList();
          if (escapeInto(inner)) {
            throw new GiveUp(); // a negated Perl class inside a class
          }
          if (!inner.isSingle()) {
            r.addAll(inner);
            continue;
          }
          lo = inner.single();
        } else {
          lo = src.codePointAt(pos);
          pos += Character.charCount(lo);
        }
        if (pos + 1 < src.length() && src.charAt(pos) == '-' && src.charAt(pos + 1) != ']') {
          pos++;
          int hi;
          if (src.charAt(pos) == '\\') {
            RangeList inner = new RangeList();
            if (escapeInto(inner) || !inner.isSingle()) {
              throw new GiveUp();
            }
            hi = inner.single();
          } else {
            hi = src.codePointAt(pos);
            pos += Character.charCount(hi);
          }
          if (hi < lo) {
            throw new GiveUp();
          }
          r.add(lo, hi);
        } else {
          r.add(lo, lo);
        }
      }
      return r.toSet(negated, fold);
    }
  }

  /** Collects ranges, then folds case (ASCII only) and normalises them. */
  private static final class RangeList {
    private final List<int[]> ranges = new ArrayList<>();

    void add(int lo, int hi) {
      ranges.add(new int[] {lo, hi});
    }

    void addAll(RangeList other) {
      ranges.addAll(other.ranges);
    }

    boolean isSingle() {
      return ranges.size() == 1 && ranges.get(0)[0] == ranges.get(0)[1];
    }

    int single() {
      return ranges.get(0)[0];
    }

    /**
     * The set; with {@code fold}, each ASCII letter brings its case partner and the two
     * non-ASCII characters that fold to ASCII letters (KELVIN SIGN to k, LATIN SMALL LETTER LONG S
     * to s), as in Unicode simple case folding. Non-ASCII members under fold: give up (RE2/J folds
     * them by the full Unicode tables).
     */
    CharSet toSet(boolean negated, boolean fold) {
      List<int[]> all = new ArrayList<>(ranges);
      if (fold) {
        for (int[] r : ranges) {
          if (r[1] >= 128) {
            throw new Parser.GiveUp();
          }
          for (int c = r[0]; c <= r[1]; c++) {
            if (c >= 'a' && c <= 'z') {
              all.add(new int[] {c - 32, c - 32});
            } else if (c >= 'A' && c <= 'Z') {
              all.add(new int[] {c + 32, c + 32});
            }
            if (c == 'k' || c == 'K') {
              all.add(new int[] {0x212A, 0x212A});
            } else if (c == 's' || c == 'S') {
              all.add(new int[] {0x017F, 0x017F});
            }
          }
        }
      }
      all.sort((a, b) -> Integer.compare(a[0], b[0]));
      List<int[]> merged = new ArrayList<>();
      for (int[] r : all) {
        int[] lastRange = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if (lastRange != null && r[0] <= lastRange[1] + 1) {
          lastRange[1] = Math.max(lastRange[1], r[1]);
        } else {
          merged.add(new int[] {r[0], r[1]});
        }
      }
      int[] flat = new int[merged.size() * 2];
      for (int i = 0; i < merged.size(); i++) {
        flat[2 * i] = merged.get(i)[0];
        flat[2 * i + 1] = merged.get(i)[1];
      }
      return new CharSet(flat, negated, false);
    }
  }

  /** Constructs RE2 refuses because they can't run in linear time, with what to write instead. */
  private static final class Unsupported {
    private Unsupported() {}

    /** Whether the '}' at {@code close} ends a repeat count such as {@code {2}} or {@code {1,3}}. */
    private static boolean closesRepeat(String p, int close) {
      int i = close - 1;
      while (i >= 0 && (Character.isDigit(p.charAt(i)) || p.charAt(i) == ',')) {
        i--;
      }
      return i >= 0 && i < close - 1 && p.charAt(i) == '{' && Character.isDigit(p.charAt(i + 1));
    }

    /** Wider case-insensitive class ranges than this, reaching past ASCII, are refused. */
    private static final int MAX_FOLDED_RANGE = 1024;

    /**
     * RE2/J folds the case of a class range code point by code point, and some wide ranges with
     * flag i (e.g. U+1000 to U+2000) take it minutes to compile (found by ConditionFuzzTest).
     */
    static void checkFoldedRanges(String p) {
      boolean inClass = false;
      int previous = -1; // the last single member read in the class, or -1
      for (int i = 0; i < p.length(); ) {
        int c = p.codePointAt(i);
        if (!inClass) {
          if (c == '\\') {
            i += 2;
          } else {
            inClass = c == '[';
            i += inClass && p.startsWith("[^", i) ? 2 : 1;
            previous = -1;
            if (inClass && i < p.length() && p.charAt(i) == ']') {
              previous = ']';
              i++;
            }
          }
          continue;
        }
        if (c == ']') {
          inClass = false;
          i++;
          continue;
        }
        if (c == '-' && previous >= 0 && i + 1 < p.length() && p.charAt(i + 1) != ']') {
          int[] hi = member(p, i + 1);
          if (hi[0] >= 128 && hi[0] - previous > MAX_FOLDED_RANGE) {
            throw new RegexSyntaxException(i, "a case-insensitive class range wider than " + MAX_FOLDED_RANGE
                + " characters is not supported (RE2 folds it character by character):"
                + " narrow it, or drop flag i and list the cases, e.g. [A-Za-z\\x{c0}-\\x{17f}]");
          }
          previous = -1;
          i = hi[1];
          continue;
        }
        int[] member = member(p, i);
        previous = member[0];
        i = member[1];
      }
    }

    /** The code point of a class member at {@code i} (-1 for a class escape such as \\d) and where it ends. */
    private static int[] member(String p, int i) {
      if (p.charAt(i) != '\\' || i + 1 >= p.length()) {
        int cp = p.codePointAt(i);
        return new int[] {cp, i + Character.charCount(cp)};
      }
      char e = p.charAt(i + 1);
      if (e == 'x' && p.startsWith("{", i + 2)) {
        int close = p.indexOf('}', i + 3);
        try {
          return new int[] {close < 0 ? -1 : Integer.parseInt(p.substring(i + 3, close), 16), close < 0 ? p.length() : close + 1};
        } catch (NumberFormatException ex) {
          return new int[] {-1, close + 1};
        }
      }
      if (e == 'x' && i + 4 <= p.length()) {
        try {
          return new int[] {Integer.parseInt(p.substring(i + 2, i + 4), 16), i + 4};
        } catch (NumberFormatException ex) {
          return new int[] {-1, i + 2};
        }
      }
      return new int[] {Character.isLetterOrDigit(e) ? -1 : e, i + 2};
    }

    static void check(String p) {
      boolean inClass = false;
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        if (c == '\\' && i + 1 < p.length()) {
          char e = p.charAt(i + 1);
          if (e >= '1' && e <= '9' || e == 'k' && i + 2 < p.length() && p.charAt(i + 2) == '<') {
            throw new RegexSyntaxException(i, "backreference \\" + (e == 'k' ? "k<…>" : String.valueOf(e))
                + " is not supported: regular expressions run in linear time (RE2 syntax, see docs/user-guide/router.md);"
                + " compare the two values with == instead, or spell out the alternatives");
          }
          if (e == 'u') {
            throw new RegexSyntaxException(i, "\\u escapes are not supported (RE2 syntax):"
                + " write the character itself or \\x{…}, e.g. \\x{e9}");
          }
          i++;
          continue;
        }
        if (inClass) {
          if (c == ']') {
            inClass = false;
          }
          continue;
        }
        if (c == '[') {
          inClass = true;
          if (i + 1 < p.length() && p.charAt(i + 1) == '^') {
            i++;
          }
          if (i + 1 < p.length() && p.charAt(i + 1) == ']') {
            i++; // a leading ] is a member
          }
          continue;
        }
        if (c == '(' && p.startsWith("(?", i)) {
          String kind = p.startsWith("(?=", i) ? "lookahead (?=…)"
              : p.startsWith("(?!", i) ? "negative lookahead (?!…)"
              : p.startsWith("(?<=", i) ? "lookbehind (?<=…)"
              : p.startsWith("(?<!", i) ? "negative lookbehind (?<!…)"
              : p.startsWith("(?>", i) ? "atomic group (?>…)" : null;
          if (kind != null) {
            throw new RegexSyntaxException(i, kind + " is not supported: regular expressions run in linear"
                + " time (RE2 syntax, see docs/user-guide/router.md); "
                + (kind.startsWith("atomic") ? "write a plain group (…): the engine never backtracks"
                    : "test the other part with a second condition, e.g. $.a =~ /x/ && !($.a =~ /y/)"));
          }
        }
        boolean quantifier = c == '*' || c == '+' || c == '?' || c == '}' && closesRepeat(p, i);
        if (quantifier && i > 0 && i + 1 < p.length() && p.charAt(i + 1) == '+') {
          throw new RegexSyntaxException(i, "possessive quantifier " + c + "+ is not supported (RE2 syntax);"
              + " write " + c + " alone: the engine never backtracks, so it is not needed");
        }
      }
    }
  }
}
