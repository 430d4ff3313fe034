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

/** The semantics table of docs/rules.md, the engine each form runs on, and what is refused. */
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
  void aPossessiveLookingBraceThatIsALiteralIsNotRefused() {
    assertThat(Regex.compile("x}+", "").find("x}}")).isTrue();
  }

  private static final String HOSTILE = "a".repeat(10_000) + "!";

  @Test
  void aPathologicalRegexTakesLinearTimeThroughTheConditionApi() {
    CompiledCondition c = Conditions.compile("$.s =~ /(a+)+$/ || $.s =~ /^(a|aa)*b/ || $.s =~ /(\\w+\\s?)*x$/");
    Record record = Record.of("k", JsonNodeFactory.instance.objectNode().put("s", HOSTILE));

    // java.util.regex needs exponential time for each of these; 10 s is generous for a linear scan.
    boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> c.test(record));

    assertThat(matched).isFalse();
  }

  @Test
  void aPathologicalRegexTakesLinearTimeThroughARoutedRecord() throws Exception {
    RoutingRule hostile = new RoutingRule("hostile", "$.s =~ /(a+)+$/", Conditions.compile("$.s =~ /(a+)+$/"), 0,
        List.of(), List.of("out"), false);
    RoutingRule re2 = new RoutingRule("word", "$.s =~ /\\b(a+)+\\b!/", Conditions.compile("$.s =~ /\\b(a+)+\\b!/"), 0,
        List.of(), List.of("out"), false);
    Router router = new Router(List.of(hostile, re2), List.of(), Map.of("out", 0));
    Record record = Record.of("k", JsonNodeFactory.instance.objectNode().put("s", HOSTILE));
    List<Integer> handedOut = new ArrayList<>();

    int matched = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> router.route(record, new Router.Scratch(), (d, r, o) -> handedOut.add(d), new long[2]));

    assertThat(matched).as("(a+)+$ is not found before '!'; \\b(a+)+\\b! is").isEqualTo(1);
    assertThat(handedOut).containsExactly(0);
  }
}
