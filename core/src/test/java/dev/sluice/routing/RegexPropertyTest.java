package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The fast paths ({@link Regex.Engine#LITERAL}, {@link Regex.Engine#AUTOMATON}), RE2/J and {@code
 * java.util.regex} agree on generated patterns and values: the fast paths and RE2/J on every value,
 * {@code java.util.regex} on values without the characters where RE2 and Java are documented to
 * differ (docs/user-guide/router.md: line terminators other than \n, a value ending in \n, the empty value
 * under flag m, vertical tab, and the case folding of KELVIN SIGN, LONG S and the Turkish
 * dotted/dotless i).
 */
class RegexPropertyTest {
  /** Characters values are made of, including the tricky ones. */
  private static final String ALPHABET = "abksKS-@._ 09é\n\r\u000B\u212A\u017F\u0130\u0131";
  private static final String SAFE_FOR_JAVA = "abksKS-@._ 09é\n";
  private static final String EMOJI = "\uD83D\uDE00";
  private static final Map<Regex.Engine, Integer> ENGINES = new EnumMap<>(Regex.Engine.class);

  @Property(tries = 2000)
  void fastPathsAgreeWithRe2j(@ForAll("patterns") String pattern, @ForAll("flags") String flags,
      @ForAll("values") List<String> values) {
    Regex ours = Regex.compile(pattern, flags);
    count(ours.engine());
    com.google.re2j.Pattern re2 = com.google.re2j.Pattern.compile(pattern, re2Flags(flags));
    for (String v : values) {
      assertThat(ours.find(v)).as("/%s/%s (%s) on %s", pattern, flags, ours.engine(), escape(v))
          .isEqualTo(re2.matcher(v).find());
    }
  }

  @Property(tries = 2000)
  void fastPathsAgreeWithJavaUtilRegexWhereTheSemanticsAreTheSame(@ForAll("backtrackingSafePatterns") String pattern,
      @ForAll("flags") String flags, @ForAll("javaSafeValues") List<String> values) {
    Regex ours = Regex.compile(pattern, flags);
    java.util.regex.Pattern jdk = java.util.regex.Pattern.compile(pattern, javaFlags(flags));
    for (String v : values) {
      assertThat(ours.find(v)).as("/%s/%s (%s) on %s", pattern, flags, ours.engine(), escape(v))
          .isEqualTo(jdk.matcher(v).find());
    }
  }

  @AfterContainer
  static void everyEngineWasExercised() {
    synchronized (ENGINES) {
      System.out.println("RegexPropertyTest: patterns per engine " + ENGINES);
      assertThat(ENGINES).as("patterns per engine").containsKeys(Regex.Engine.values());
      assertThat(ENGINES.get(Regex.Engine.AUTOMATON)).isGreaterThan(300);
      assertThat(ENGINES.get(Regex.Engine.LITERAL)).isGreaterThan(20);
    }
  }

  private static void count(Regex.Engine engine) {
    synchronized (ENGINES) {
      ENGINES.merge(engine, 1, Integer::sum);
    }
  }

  @Provide
  Arbitrary<String> patterns() {
    return withEdges(regex(3, true));
  }

  /**
   * Patterns without a quantified group: java.util.regex backtracks, and a nested quantifier such
   * as {@code (a+)+} would take exponential time on the generated values (what RE2 avoids).
   */
  @Provide
  Arbitrary<String> backtrackingSafePatterns() {
    return withEdges(regex(3, false));
  }

  /** Anchors and the .* of Camel/Jayway users at either end, or nothing. */
  private static Arbitrary<String> withEdges(Arbitrary<String> body) {
    Arbitrary<String> leading = Arbitraries.of("", "", "^", ".*", "^.*", ".*?");
    Arbitrary<String> trailing = Arbitraries.of("", "", "$", ".*", ".*$");
    return Combinators.combine(leading, body, trailing).as((l, b, t) -> l + b + t);
  }

  @Provide
  Arbitrary<String> flags() {
    return Arbitraries.of("", "", "", "i", "s", "m", "is", "im");
  }

  @Provide
  Arbitrary<List<String>> values() {
    return values(ALPHABET + EMOJI);
  }

  @Provide
  Arbitrary<List<String>> javaSafeValues() {
    return values(SAFE_FOR_JAVA + EMOJI).map(list -> list.stream()
        .map(v -> v.isEmpty() || v.endsWith("\n") ? v + "a" : v).toList());
  }

  private static Arbitrary<List<String>> values(String alphabet) {
    Arbitrary<String> chars = Arbitraries.of(alphabet.codePoints().mapToObj(Character::toString).toList());
    Arbitrary<String> value = chars.list().ofMaxSize(12).map(l -> String.join("", l));
    Arbitrary<String> withWords = Combinators.combine(value, Arbitraries.of("ab", "kas", "a-b", "@a.b", ""), value)
        .as((a, w, b) -> a + w + b);
    return Arbitraries.oneOf(value, withWords).list().ofMinSize(1).ofMaxSize(8);
  }

  private Arbitrary<String> regex(int depth, boolean quantifiedGroups) {
    Arbitrary<String> atom = Arbitraries.of(
        "a", "b", "k", "s", "K", "S", "-", "@", "é", "0", "_", " ", EMOJI,
        "\\.", "\\-", "\\@", "\\d", "\\w", "\\s", "\\D", "\\W", "\\S", ".", "\\n",
        "[a-c]", "[^ab]", "[k-s]", "[\\d.]", "[-a]", "[^\\n]", "[a-zA-Z_]", "[é-ë]", "(?:ab|k)");
    if (depth == 0) {
      return atom;
    }
    Arbitrary<String> quantifier = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, Arbitraries.just("")),
        net.jqwik.api.Tuple.of(8, Arbitraries.of("*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "{2,}")));
    Arbitrary<String> quantifiedAtom = Combinators.combine(atom, quantifier).as((a, q) -> a + q);
    Arbitrary<String> piece = quantifiedGroups
        ? Combinators.combine(Arbitraries.oneOf(atom, group(depth - 1, true)), quantifier).as((a, q) -> a + q)
        : Arbitraries.oneOf(quantifiedAtom, group(depth - 1, false));
    return piece.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l));
  }

  private Arbitrary<String> group(int depth, boolean quantifiedGroups) {
    Arbitrary<List<String>> branches = regex(depth, quantifiedGroups).list().ofMinSize(1).ofMaxSize(3);
    return Combinators.combine(Arbitraries.of("(", "(?:"), branches).as((open, b) -> open + String.join("|", b) + ")");
  }

  private static int re2Flags(String flags) {
    int f = 0;
    f |= flags.contains("i") ? com.google.re2j.Pattern.CASE_INSENSITIVE : 0;
    f |= flags.contains("m") ? com.google.re2j.Pattern.MULTILINE : 0;
    f |= flags.contains("s") ? com.google.re2j.Pattern.DOTALL : 0;
    return f;
  }

  private static int javaFlags(String flags) {
    int f = 0;
    f |= flags.contains("i") ? java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE : 0;
    f |= flags.contains("m") ? java.util.regex.Pattern.MULTILINE : 0;
    f |= flags.contains("s") ? java.util.regex.Pattern.DOTALL : 0;
    return f;
  }

  private static String escape(String v) {
    StringBuilder sb = new StringBuilder("\"");
    v.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7F ? Character.toString(c) : String.format("\\u%04X", c)));
    return sb.append('"').toString();
  }
}
