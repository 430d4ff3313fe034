package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.record.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The semantics table of docs/user-guide/router.md, the engine each form runs on, and what is refused. */
class RegexTest {

  @ParameterizedTest(name = "/{0}/{1} runs on {2}")
  @CsvSource(delimiter = ';', quoteCharacter = '"', textBlock = """
      .*@example\\.com$       ;   ; LITERAL
      @example\\.(com|org)$   ;   ; LITERAL
      ^Customer 9.*           ;   ; LITERAL
      .*-1001.*               ;   ; LITERAL
      ^(DE|AT|CH)$            ;   ; LITERAL
      ^0[0-9]{4}$             ;   ; AUTOMATON
      ^user[0-9]*7@(example|test)\\. ; i ; AUTOMATON
      @EXAMPLE\\.com$         ; i ; AUTOMATON
      ^SKU-[1-3]              ;   ; AUTOMATON
      (a+)+$                  ;   ; AUTOMATON
      \\bword\\b              ;   ; RE2J
      \\p{Greek}+             ;   ; RE2J
      ^a$                     ; m ; RE2J
      ^é$                     ; i ; RE2J
      """)
  void eachFormRunsOnTheEngineTheDocsName(String pattern, String flags, Regex.Engine engine) {
    assertThat(Regex.compile(pattern, flags == null ? "" : flags).engine()).isEqualTo(engine);
  }

  @ParameterizedTest(name = "/{0}/{1} on \"{2}\" is {3}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      .*@example\\.com$ |   | ada@example.com        | true
      .*@example\\.com$ |   | ada@example.com.evil   | false
      .*@example\\.com  |   | ada@example.com.evil   | true
      @example\\.com$   |   | "ada@example.com\n"    | false
      ^Customer 9.*     |   | Customer 91            | true
      ^Customer 9.*     |   | My Customer 9          | false
      ^.*9              |   | "a\n9"                 | false
      ^.*9              | s | "a\n9"                 | true
      example           | i | ADA@EXAMPLE.COM        | true
      k                 | i | "\u212A"               | true
      i                 | i | "\u0130"               | false
      ^.$               |   | "\uD83D\uDE00"         | true
      ^.$               |   | "\r"                   | true
      ^a$               | m | "b\na\nc"              | true
      \\s               |   | "\u000B"               | false
      """)
  void semanticsAsDocumented(String pattern, String flags, String value, boolean found) {
    String v = value.replace("\\n", "\n").replace("\\u212A", "\u212A").replace("\\u0130", "\u0130")
        .replace("\\uD83D\\uDE00", "\uD83D\uDE00").replace("\\r", "\r").replace("\\u000B", "\u000B");
    assertThat(Regex.compile(pattern, flags == null ? "" : flags).find(v)).isEqualTo(found);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      $.s =~ /a(?=b)/           | 10 | lookahead (?=…) is not supported
      $.s =~ /a(?!b)/           | 10 | negative lookahead (?!…) is not supported
      $.s =~ /(?<=a)b/          | 9 | lookbehind (?<=…) is not supported
      $.s =~ /(?<!a)b/          | 9 | negative lookbehind (?<!…) is not supported
      $.s =~ /(a)\\1/           | 12 | backreference \\1 is not supported
      $.s =~ /(?<x>a)\\k<x>/    | 16 | backreference \\k<…> is not supported
      $.s =~ /a*+/              | 10 | possessive quantifier *+ is not supported
      $.s =~ /a{2}+/            | 12 | possessive quantifier }+ is not supported
      $.s =~ /(?>ab)/           | 9 | atomic group (?>…) is not supported
      $.s =~ /\\u00e9/          | 9 | \\u escapes are not supported
      $.s =~ /[a-/              | 8 | invalid regular expression: missing closing ]
      """)
  void unsupportedSyntaxIsRefusedWithACaretAndWhatToWriteInstead(String condition, int column, String problem) {
    assertThatThrownBy(() -> Conditions.compile(condition))
        .isInstanceOfSatisfying(ConditionSyntaxException.class, e -> {
          assertThat(e.problem()).contains(problem);
          assertThat(e.position() + 1).as("column").isEqualTo(column);
          if (!problem.startsWith("invalid")) {
            assertThat(e.problem()).containsAnyOf("instead", "write", "e.g.");
          }
        });
  }

  @Test
  void deeplyNestedGroupsCompileWithoutOverflowingTheStack() {
    String deep = "(".repeat(800) + "a" + ")".repeat(800);

    Regex regex = Regex.compile(deep, "");

    assertThat(regex.engine()).as("too deep for the fast paths' recursive parser").isEqualTo(Regex.Engine.RE2J);
    assertThat(regex.find("xa")).isTrue();
  }

  /** Found by ConditionFuzzTest: RE2/J took minutes to compile such a class with flag i. */
  @Test
  void aWideCaseInsensitiveClassRangeIsRefusedInsteadOfTakingMinutesToCompile() {
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> Conditions.compile("$.s =~ /[a-\uFFFD]x/i"))
        .isInstanceOfSatisfying(ConditionSyntaxException.class, e -> {
          assertThat(e.problem()).contains("case-insensitive class range wider than 1024 characters");
          assertThat(e.position()).isEqualTo(10);
        }));
    boolean found = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> Conditions.compile("$.s =~ /[\\x{1000}-\\x{2000}]/").test(
            Record.of("k", JsonNodeFactory.instance.objectNode().put("s", "\u1234"))));
    assertThat(found).as("without flag i the range is fine").isTrue();
    assertThat(Regex.compile("[a-z\\x{e0}-\\x{ff}]", "i").find("\u00C9")).isTrue();
  }

  @Test
  void aPossessiveLookingBraceThatIsALiteralIsNotRefused() {
    assertThat(Regex.compile("x}+", "").find("x}}")).isTrue();
  }

  private static final String HOSTILE = "a".repeat(10_000) + "!";

  /**
   * {@code (a+)+$} is the classic; JDK 9+ memoizes simple group loops, so also patterns it still
   * can't save: a counted repetition of a loop ({@code (a+){25}b}, exponential), a nested loop
   * that recurses once per character ({@code (\w+\s?)*x$}, a StackOverflowError on 10 kB).
   */
  private static final String[] PATHOLOGICAL = {"(a+)+$", "(a+){25}b", "(\\w+\\s?)*x$", "(.*a){20}b"};

  @Test
  void pathologicalRegexesTakeLinearTimeThroughTheConditionApi() {
    Record record = Record.of("k", JsonNodeFactory.instance.objectNode().put("s", HOSTILE));
    for (String pattern : PATHOLOGICAL) {
      CompiledCondition c = Conditions.compile("$.s =~ /" + pattern + "/");

      // java.util.regex needs exponential time (or overflows its stack); 10 s is generous for one pass.
      boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> c.test(record), pattern);

      assertThat(matched).as(pattern).isFalse();
    }
  }

  @Test
  void pathologicalRegexesTakeLinearTimeThroughARoutedRecord() throws Exception {
    List<RoutingRule> rules = new ArrayList<>();
    for (String pattern : PATHOLOGICAL) {
      String when = "$.s =~ /" + pattern + "/";
      rules.add(new RoutingRule(pattern, when, Conditions.compile(when), 0, List.of(), List.of("out"), false));
    }
    String re2 = "$.s =~ /\\b(a+)+\\b!/"; // runs on RE2/J (word boundaries)
    rules.add(new RoutingRule("word", re2, Conditions.compile(re2), 0, List.of(), List.of("out"), false));
    Router router = new Router(rules, List.of(), Map.of("out", 0));
    Record record = Record.of("k", JsonNodeFactory.instance.objectNode().put("s", HOSTILE));
    List<String> handedOut = new ArrayList<>();

    int matched = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> router.route(record, new Router.Scratch(),
        (d, r, o) -> handedOut.add(r.key()), new long[rules.size()]));

    assertThat(matched).as("only \\b(a+)+\\b! is found").isEqualTo(1);
    assertThat(handedOut).containsExactly("k");
  }
}
