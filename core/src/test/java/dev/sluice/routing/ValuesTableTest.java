package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.Json;
import dev.sluice.record.Record;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The typed comparison rules of {@link Values}, as a table: a field value (JSON), an expression
 * over it, and the outcome ({@code true}, {@code false} or {@code error}).
 */
class ValuesTableTest {
  private static final ObjectMapper MAPPER = Json.newMapper();

  @ParameterizedTest(name = "v = {0}: {1} -> {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      # numbers: exact decimal value, any representation
      10                      | $.v == 10                      | true
      10                      | $.v == 10.0                    | true
      10.0                    | $.v == 10                      | true
      0.1                     | $.v == 0.10                    | true
      10000.01                | $.v > 10000                    | true
      10000                   | $.v > 10000                    | false
      10000                   | $.v >= 10000                   | true
      -5                      | $.v < 0                        | true
      123456789012345678901234567890.123 | $.v > 123456789012345678901234567890.122 | true
      123456789012345678901234567890.123 | $.v == 123456789012345678901234567890.1230 | true
      9007199254740993        | $.v > 9007199254740992         | true
      1e3                     | $.v == 1000                    | true
      # number vs string: numeric strings compare as numbers
      "12000.50"              | $.v > 10000                    | true
      "12000.50"              | $.v == 12000.5                 | true
      12000.5                 | $.v == '12000.50'              | true
      "abc"                   | $.v == 5                       | false
      "abc"                   | $.v != 5                       | true
      "abc"                   | $.v > 5                        | error
      "007"                   | $.v == 7                       | false
      # strings: code point order, case-sensitive
      "apple"                 | $.v < 'banana'                 | true
      "Zebra"                 | $.v < 'apple'                  | true
      "DE"                    | $.v == 'de'                    | false
      # dates: ISO-8601 dates and date-times compare as instants
      "2026-03-29T01:30:00+01:00" | $.v == '2026-03-29T00:30:00Z' | true
      "2026-03-29T01:30:00+01:00" | $.v < '2026-03-29T01:00:00Z'  | true
      "2026-03-29"            | $.v < '2026-03-29T00:00:01Z'   | true
      "2026-03-29"            | $.v == '2026-03-29T00:00:00Z'  | true
      "2026-12-01"            | $.v > '2026-02-28'             | true
      "2026-03-29T10:00:00"   | $.v == '2026-03-29T10:00:00Z'  | true
      # booleans
      true                    | $.v == true                    | true
      true                    | $.v == 'true'                  | false
      true                    | $.v > false                    | error
      true                    | $.v                            | true
      "true"                  | $.v                            | false
      # null and missing are different
      null                    | $.v == null                    | true
      null                    | $.v != null                    | false
      null                    | $.v > 5                        | false
      null                    | exists($.v)                    | true
      null                    | $.missing == null              | false
      null                    | $.missing != null              | true
      null                    | $.missing > 5                  | false
      null                    | $.missing < 5                  | false
      null                    | exists($.missing)              | false
      null                    | $.missing exists               | false
      null                    | empty($.missing)               | true
      null                    | $.v empty                      | true
      ""                      | $.v empty                      | true
      "x"                     | $.v empty                      | false
      # in / nin use == semantics
      "DE"                    | $.v in ['DE', 'AT']            | true
      "FR"                    | $.v in ['DE', 'AT']            | false
      "FR"                    | $.v nin ['DE', 'AT']           | true
      2                       | $.v in [1, 2.0, 3]             | true
      "2"                     | $.v in [1, 2, 3]               | true
      2.50                    | $.v in ['2.5']                 | true
      null                    | $.missing in ['DE']            | false
      null                    | $.missing nin ['DE']           | true
      # regex (found anywhere unless anchored), contains, startsWith, endsWith
      "ann@test.example.com"  | $.v =~ /@test\\./              | true
      "ann@example.com"       | $.v =~ /@test\\./              | false
      "Ann@Example.COM"       | $.v =~ /example\\.com$/i       | true
      "Ann@Example.COM"       | $.v =~ /example\\.com$/        | false
      12345                   | $.v =~ /^123/                  | true
      "hello world"           | $.v contains 'o w'             | true
      ["a", "b"]              | $.v contains 'b'               | true
      [1, 2]                  | $.v contains 2.0               | true
      {"a": 1}                | $.v contains 'a'               | error
      "invoice-2026"          | $.v startsWith 'invoice-'      | true
      "invoice-2026"          | $.v endsWith '2025'            | false
      # arrays and objects: structural equality, numbers by value
      [1, 2]                  | $.v == $.v                     | true
      {"a": [1, 2.0]}         | $.v.a[1] == 2                  | true
      {"a": 1}                | $.v > 1                        | error
      """)
  void comparisons(String json, String expression, String expected) throws Exception {
    ObjectNode data = MAPPER.createObjectNode();
    data.set("v", MAPPER.readTree(json));
    Record record = Record.of("k", data);
    CompiledCondition condition = Conditions.compile(expression);
    if (expected.equals("error")) {
      assertThatThrownBy(() -> condition.test(record)).isInstanceOf(RoutingException.class);
    } else {
      assertThat(condition.test(record)).isEqualTo(Boolean.parseBoolean(expected));
    }
  }
}
