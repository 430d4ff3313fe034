package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.Json;
import dev.sluice.record.Record;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionsTest {
  private static final ObjectMapper MAPPER = Json.newMapper();

  private static Record order() throws Exception {
    return Record.of("o1", (ObjectNode) MAPPER.readTree("""
        {"amount": 12000, "country": "DE", "email": "ann@example.com",
         "customer": {"tier": "gold", "tags": ["vip", "b2b"], "odd key": 1},
         "items": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 0}],
         "active": true}
        """));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '¦', quoteCharacter = '`', textBlock = """
      $.amount > 10000 && $.country in ['DE','AT'] && !($.email =~ /@test\\./) ¦ true
      $.amount > 10000 and $.country in ['FR'] or $.customer.tier == 'gold'    ¦ true
      $.amount > 10000 && ($.country in ['FR'] || $.customer.tier == 'silver') ¦ false
      not $.active                                                            ¦ false
      !!$.active                                                              ¦ true
      $.customer.tags contains 'vip'                                          ¦ true
      $.customer['odd key'] == 1                                              ¦ true
      $['customer']['tier'] == 'gold'                                         ¦ true
      $.items[0].sku == 'A-1'                                                 ¦ true
      $.items[*].sku == 'B-7'                                                 ¦ true
      $.items[*].sku == 'C-9'                                                 ¦ false
      $.items[*].sku != 'C-9'                                                 ¦ true
      $.items[?(@.qty > 1)]                                                   ¦ true
      $.items[?(@.qty > 5)]                                                   ¦ false
      $..sku contains 'A-1'                                                   ¦ true
      $.items[-1].qty == 0                                                    ¦ true
      10000 < $.amount                                                        ¦ true
      $.amount == $.amount                                                    ¦ true
      true                                                                    ¦ true
      exists($.customer.tier) && !exists($.customer.missing)                  ¦ true
      """)
  void expressions(String expression, boolean expected) throws Exception {
    assertThat(Conditions.compile(expression).test(order())).isEqualTo(expected);
  }

  @Test
  void aJaywayFilterPathOnTheRootObjectIsTrueWhenItMatches() throws Exception {
    assertThat(Conditions.compile("$[?(@.amount > 10000)]").test(order())).isTrue();
    assertThat(Conditions.compile("$[?(@.amount > 20000)]").test(order())).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      $.amount >> 5          | 9  | unknown operator '>>'
      $.amount => 5          | 9  | unknown operator '=>' (expected one of == != < <= > >= in nin =~
      $.amount = 5           | 9  | did you mean '=='?
      $.amount > 5 &&        | 15 | expected a value or a path
      ($.amount > 5          | 0  | unclosed '('
      $.country in 'DE'      | 13 | 'in' needs a list
      $.country == DE        | 13 | strings need quotes ('DE')
      $.email =~ /[a-/       | 11 | invalid regular expression
      $.email matches /x/    | 8  | did you mean '=~'?
      $.amount > 5 )         | 13 | unexpected ')'
      $.a IN ['x']           | 4  | did you mean 'in'?
      5                      | 0  | a value alone is not a condition
      """)
  void syntaxErrorsPointAtThePosition(String expression, int column, String message) {
    assertThatThrownBy(() -> Conditions.compile(expression))
        .isInstanceOfSatisfying(ConditionSyntaxException.class, e -> {
          assertThat(e.position()).isEqualTo(column);
          assertThat(e.problem()).contains(message);
          String[] lines = e.getMessage().split("\n");
          assertThat(lines[1]).isEqualTo("  " + expression);
          assertThat(lines[2]).isEqualTo("  " + " ".repeat(column) + "^");
        });
  }

  @Test
  void theErrorNamesTheRule() {
    ConditionSyntaxException e = org.junit.jupiter.api.Assertions.assertThrows(
        ConditionSyntaxException.class, () -> Conditions.compile("$.amount >> 5"));
    assertThat(e.in("rule 'big'").getMessage()).isEqualTo("""
        rule 'big': unknown operator '>>' (expected one of == != < <= > >= in nin =~ contains startsWith endsWith exists empty) at column 10
          $.amount >> 5
                   ^""");
  }

  @Test
  void structuredFormCompilesToTheSameLogic() throws Exception {
    var structured = MAPPER.readTree("""
        {"all": ["$.amount > 10000",
                 {"any": ["$.country == 'FR'", "$.customer.tier == 'gold'"]},
                 {"not": "$.email =~ /@test\\\\./"}]}
        """);
    assertThat(Conditions.compile(structured, new PathCache()).test(order())).isTrue();
    var failing = MAPPER.readTree("{\"all\": [\"$.amount > 10000\", {\"not\": {\"any\": [\"$.active\"]}}]}");
    assertThat(Conditions.compile(failing, new PathCache()).test(order())).isFalse();
    assertThatThrownBy(() -> Conditions.compile(MAPPER.readTree("{\"all\": [\"$.a > 1\", {\"some\": []}]}"), new PathCache()))
        .hasMessage("/all/1: unknown key 'some' (expected all, any, not or rule)");
  }

  @Test
  void tracingReportsEveryComparisonWithItsValues() throws Exception {
    CompiledCondition c = Conditions.compile("$.amount > 10000 && $.country in ['FR','AT']");
    CompiledCondition.Result r = c.trace(order());
    assertThat(r.matched()).isFalse();
    assertThat(r.steps()).hasSize(2);
    assertThat(r.steps().get(0).left()).isEqualTo("$.amount");
    assertThat(r.steps().get(0).leftValue().asInt()).isEqualTo(12000);
    assertThat(r.steps().get(0).result()).isTrue();
    assertThat(r.steps().get(1).leftValue().asText()).isEqualTo("DE");
    assertThat(r.steps().get(1).right()).isEqualTo("['FR','AT']");
    assertThat(r.steps().get(1).result()).isFalse();
  }

  @Test
  void pathsAreCompiledOncePerCacheAndShared() {
    PathCache cache = new PathCache();
    Conditions.compile("$.a > 1 && $.b == 2", cache);
    Conditions.compile("$.a < 5 || $.items[*].x == 1", cache);
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("$.a")).isSameAs(cache.get("$.a"));
    assertThat(cache.get("$.a").isDefinite()).isTrue();
    assertThat(cache.get("$.items[*].x").isDefinite()).isFalse();
  }

  @Test
  void conditionsAreSafeToShareAcrossThreads() throws Exception {
    CompiledCondition c = Conditions.compile("$.amount > 10000 && $.items[?(@.qty > 1)] && $.email =~ /example/");
    Record r = order();
    List<Thread> threads = new java.util.ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
    for (int t = 0; t < 4; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 20_000; i++) {
          if (!c.test(r)) {
            wrong.incrementAndGet();
          }
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    assertThat(wrong.get()).isZero();
  }

  /**
   * Found by ConditionFuzzTest: Jayway's filters use json-smart directly (an existence check builds
   * a configuration from its defaults; a value compared in a filter is parsed by it), which the
   * build used to exclude: NoClassDefFoundError.
   */
  @Test
  void jaywayFiltersWithExistenceChecksAndComparedValuesWork() throws Exception {
    dev.sluice.record.Record r = dev.sluice.record.Record.of("k", (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"items\": [{\"sku\": \"a\"}, {\"qty\": 1}]}"));

    assertThat(Conditions.compile("$.items[?(@.sku)]").test(r)).isTrue();
    assertThat(Conditions.compile("$.items[?(@.price)]").test(r)).isFalse();
    assertThat(Conditions.compile("$.items[?(@.qty && @.qty > 0)]").test(r)).isTrue();
    assertThat(Conditions.compile("$[?(@ > 10)]").test(r)).as("an object is not > 10").isFalse();
    assertThat(Conditions.compile("$.items[?(@.sku in ['a', 'b'])]").test(r)).isTrue();
  }

  /** Found by ConditionFuzzTest: BigDecimal's NumberFormatException escaped for such exponents. */
  @Test
  void aNumberWithAnExponentOutOfRangeIsNotANumber() throws Exception {
    assertThatThrownBy(() -> Conditions.compile("$.n > 1e31111111111111"))
        .isInstanceOf(ConditionSyntaxException.class).hasMessageContaining("'1e31111111111111' is not a number");
    dev.sluice.record.Record r = dev.sluice.record.Record.of("k", (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"n\": \"1e99999999999\"}"));

    assertThat(Conditions.compile("$.n == 5").test(r)).isFalse();
    assertThatThrownBy(() -> Conditions.compile("$.n > 5").test(r)).isInstanceOf(RoutingException.class);
  }
}
