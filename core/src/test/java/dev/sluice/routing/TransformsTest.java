package dev.sluice.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.Json;
import dev.sluice.record.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

class TransformsTest {
  private static final ObjectMapper MAPPER = Json.newMapper();
  private final PathCache paths = new PathCache();

  private static Record rec(String json) throws Exception {
    return Record.of("k1", (ObjectNode) MAPPER.readTree(json));
  }

  private List<Record> apply(String spec, Record in) throws Exception {
    return Transforms.fromSpec(MAPPER.readTree(spec), paths).apply(in);
  }

  private JsonNode one(String spec, String json) throws Exception {
    Record in = rec(json);
    String before = in.data().toString();
    List<Record> out = apply(spec, in);
    assertThat(out).hasSize(1);
    assertThat(in.data().toString()).as("copy-on-write: the input is untouched").isEqualTo(before);
    return out.get(0).data();
  }

  @Test
  void setLiteralAndTemplate() throws Exception {
    assertThat(one("{\"set\": {\"path\": \"$.tier\", \"value\": \"enterprise\"}}", "{\"a\":1}"))
        .isEqualTo(MAPPER.readTree("{\"a\":1,\"tier\":\"enterprise\"}"));
    assertThat(one("{\"set\": {\"path\": \"$.name\", \"value\": \"{{$.first}} {{$.last}}\"}}",
        "{\"first\":\"Ann\",\"last\":\"Lee\"}").get("name").asText()).isEqualTo("Ann Lee");
    assertThat(one("{\"set\": {\"path\": \"$.who.full\", \"value\": \"{{ $.first }} ({{$.missing}})\"}}",
        "{\"first\":\"Ann\"}").at("/who/full").asText()).isEqualTo("Ann ()");
    assertThat(one("{\"set\": {\"path\": \"$.copy\", \"value\": \"{{$.n}}\"}}", "{\"n\":12.50}").get("copy").decimalValue())
        .as("a single placeholder keeps the value's type").isEqualByComparingTo("12.5");
    assertThat(one("{\"set\": {\"path\": \"$.items[2]\", \"value\": 7}}", "{\"items\":[1]}").get("items").toString())
        .isEqualTo("[1,null,7]");
  }

  @Test
  void copyRenameRemoveKeepDefault() throws Exception {
    assertThat(one("{\"copy\": {\"from\": \"$.a.b\", \"to\": \"$.c\"}}", "{\"a\":{\"b\":[1]}}").toString())
        .isEqualTo("{\"a\":{\"b\":[1]},\"c\":[1]}");
    assertThat(one("{\"rename\": {\"from\": \"$.a\", \"to\": \"$.x.y\"}}", "{\"a\":1,\"b\":2}").toString())
        .isEqualTo("{\"b\":2,\"x\":{\"y\":1}}");
    assertThat(one("{\"move\": {\"from\": \"$.missing\", \"to\": \"$.x\"}}", "{\"a\":1}").toString()).isEqualTo("{\"a\":1}");
    assertThat(one("{\"remove\": [\"$.password\", \"$.nested.secret\"]}", "{\"password\":\"p\",\"nested\":{\"secret\":1,\"ok\":2},\"id\":1}").toString())
        .isEqualTo("{\"nested\":{\"ok\":2},\"id\":1}");
    assertThat(one("{\"keep\": [\"$.id\", \"$.customer.email\"]}", "{\"id\":1,\"x\":2,\"customer\":{\"email\":\"e\",\"name\":\"n\"}}").toString())
        .isEqualTo("{\"id\":1,\"customer\":{\"email\":\"e\"}}");
    assertThat(one("{\"default\": {\"path\": \"$.currency\", \"value\": \"EUR\"}}", "{\"currency\":null}").get("currency").asText()).isEqualTo("EUR");
    assertThat(one("{\"default\": {\"path\": \"$.currency\", \"value\": \"EUR\"}}", "{\"currency\":\"USD\"}").get("currency").asText()).isEqualTo("USD");
  }

  @Test
  void castToEachType() throws Exception {
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"number\"}}", "{\"v\":\"12000.50\"}").get("v").decimalValue())
        .isEqualByComparingTo("12000.50");
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"number\"}}", "{\"v\":\"42\"}").get("v").isIntegralNumber()).isTrue();
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"string\"}}", "{\"v\":1.50}").get("v").asText()).isEqualTo("1.50");
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"boolean\"}}", "{\"v\":\"yes\"}").get("v").asBoolean()).isTrue();
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"timestamp\"}}", "{\"v\":1767225600000}").get("v").asText())
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"timestamp\", \"unit\": \"seconds\"}}", "{\"v\":1767225600}").get("v").asText())
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThat(one("{\"cast\": {\"path\": \"$.v\", \"to\": \"timestamp\"}}", "{\"v\":\"2026-01-01T01:00:00+01:00\"}").get("v").asText())
        .isEqualTo("2026-01-01T00:00:00Z");
    assertThatThrownBy(() -> apply("{\"cast\": {\"path\": \"$.v\", \"to\": \"number\"}}", rec("{\"v\":\"abc\"}")))
        .isInstanceOf(RoutingException.class).hasMessage("cast $.v to number: string \"abc\" is not a number");
  }

  @Test
  void dateParseAndFormatWithZones() throws Exception {
    // Berlin summer time: 10:15 local is 08:15 UTC
    assertThat(one("{\"date\": {\"path\": \"$.d\", \"from\": \"dd.MM.yyyy HH:mm\", \"zone\": \"Europe/Berlin\"}}",
        "{\"d\":\"15.07.2026 10:15\"}").get("d").asText()).isEqualTo("2026-07-15T08:15:00Z");
    assertThat(one("{\"date\": {\"path\": \"$.d\", \"from\": \"iso\", \"to\": \"iso\", \"toZone\": \"America/New_York\"}}",
        "{\"d\":\"2026-01-15T12:00:00Z\"}").get("d").asText()).isEqualTo("2026-01-15T07:00:00-05:00");
    assertThat(one("{\"date\": {\"path\": \"$.d\", \"from\": \"epoch-millis\", \"to\": \"yyyy-MM-dd HH:mm\", \"toZone\": \"Asia/Tokyo\"}}",
        "{\"d\":0}").get("d").asText()).isEqualTo("1970-01-01 09:00");
    assertThat(one("{\"date\": {\"path\": \"$.d\", \"to\": \"epoch-seconds\"}}", "{\"d\":\"2026-01-01\"}").get("d").asLong())
        .isEqualTo(1767225600L);
    assertThat(one("{\"date\": {\"path\": \"$.d\", \"to\": \"date\", \"zone\": \"Pacific/Auckland\"}}", "{\"d\":\"2026-01-01T20:00:00Z\"}").get("d").asText())
        .isEqualTo("2026-01-02");
    assertThatThrownBy(() -> apply("{\"date\": {\"path\": \"$.d\", \"from\": \"dd.MM.yyyy\"}}", rec("{\"d\":\"2026-13-45\"}")))
        .isInstanceOf(RoutingException.class).hasMessageContaining("does not match the date pattern 'dd.MM.yyyy'");
  }

  @Test
  void textFlattenUnflatten() throws Exception {
    assertThat(one("{\"lower\": \"$.email\"}", "{\"email\":\"Ann@Example.COM\"}").get("email").asText()).isEqualTo("ann@example.com");
    assertThat(one("{\"upper\": [\"$.c\"]}", "{\"c\":\"de\"}").get("c").asText()).isEqualTo("DE");
    assertThat(one("{\"trim\": \"$.n\"}", "{\"n\":\"  x \"}").get("n").asText()).isEqualTo("x");
    assertThat(one("{\"lower\": \"$.n\"}", "{\"n\":5}").get("n").asInt()).isEqualTo(5);
    assertThat(one("{\"flatten\": {}}", "{\"a\":{\"b\":{\"c\":1}},\"d\":[1,2],\"e\":{}}").toString())
        .isEqualTo("{\"a.b.c\":1,\"d\":[1,2],\"e\":{}}");
    assertThat(one("{\"flatten\": {\"separator\": \"_\", \"arrays\": true}}", "{\"a\":{\"b\":1},\"d\":[1,{\"x\":2}]}").toString())
        .isEqualTo("{\"a_b\":1,\"d_0\":1,\"d_1_x\":2}");
    assertThat(one("{\"unflatten\": {}}", "{\"a.b.c\":1,\"a.d\":2,\"e\":3}").toString())
        .isEqualTo("{\"a\":{\"b\":{\"c\":1},\"d\":2},\"e\":3}");
    assertThatThrownBy(() -> apply("{\"unflatten\": {}}", rec("{\"a\":1,\"a.b\":2}")))
        .isInstanceOf(RoutingException.class).hasMessageContaining("collides");
  }

  @Test
  void splitAndFilterArrays() throws Exception {
    Record in = rec("{\"order\":\"o1\",\"items\":[{\"sku\":\"A\",\"qty\":2},{\"sku\":\"B\",\"qty\":0}]}");
    List<Record> split = apply("{\"split\": \"$.items\"}", in);
    assertThat(split).extracting(Record::key).containsExactly("k1#0", "k1#1");
    assertThat(split.get(1).data().toString()).isEqualTo("{\"order\":\"o1\",\"items\":{\"sku\":\"B\",\"qty\":0}}");
    assertThat(apply("{\"split\": \"$.items\"}", rec("{\"items\":[]}"))).isEmpty();
    assertThatThrownBy(() -> apply("{\"split\": \"$.items\"}", rec("{\"items\":5}")))
        .hasMessageContaining("expected an array");

    assertThat(one("{\"filter\": {\"path\": \"$.items\", \"when\": \"@.qty > 0\"}}", in.data().toString()).get("items").toString())
        .isEqualTo("[{\"sku\":\"A\",\"qty\":2}]");
    assertThat(one("{\"filter\": {\"path\": \"$.n\", \"when\": \"@ > 2\"}}", "{\"n\":[1,5,3]}").get("n").toString())
        .isEqualTo("[5,3]");
  }

  @Test
  void badSpecsNameTheStepAndTheProblem() {
    assertThatThrownBy(() -> Transforms.fromSpec(MAPPER.readTree("{\"sett\": {}}"), paths))
        .hasMessageStartingWith("unknown transform 'sett'");
    assertThatThrownBy(() -> Transforms.fromSpec(MAPPER.readTree("{\"cast\": {\"path\": \"$.a\", \"to\": \"int\"}}"), paths))
        .hasMessage("transform 'cast': 'to' must be one of string, number, boolean, timestamp, got 'int'");
    assertThatThrownBy(() -> Transforms.fromSpec(MAPPER.readTree("{\"set\": {\"path\": \"$.items[*].x\", \"value\": 1}}"), paths))
        .hasMessageContaining("can't be written to");
    assertThatThrownBy(() -> Transforms.fromSpec(MAPPER.readTree("{\"date\": {\"path\": \"$.a\", \"zone\": \"Mars/Olympus\"}}"), paths))
        .hasMessageContaining("'zone' is not a time zone: 'Mars/Olympus'");
    assertThatThrownBy(() -> Transforms.fromSpec(MAPPER.readTree("{\"filter\": {\"path\": \"$.a\", \"when\": \"@.x >> 1\"}}"), paths))
        .isInstanceOf(ConditionSyntaxException.class).hasMessageStartingWith("transform 'filter': unknown operator '>>'");
  }

  /** Found by TransformFuzzTest: a ClassCastException instead of a RoutingException. */
  @Test
  void writingAFieldOfAnArrayOrIntoANumberIsARoutingErrorNamingTheStep() throws Exception {
    Record r = rec("{\"items\": [{\"sku\": \"a\"}], \"amount\": 5, \"o\": {}}");

    assertThatThrownBy(() -> Transforms.set("$.items.sku", MAPPER.getNodeFactory().textNode("x")).apply(r))
        .isInstanceOf(RoutingException.class).hasMessage("can't write $.items.sku: step 2 meets array [{\"sku\":\"a\"}]");
    assertThatThrownBy(() -> Transforms.set("$.amount.currency", MAPPER.getNodeFactory().textNode("EUR")).apply(r))
        .isInstanceOf(RoutingException.class).hasMessageStartingWith("can't write $.amount.currency: step 2 meets");
    assertThatThrownBy(() -> Transforms.rename("$.amount", "$.o[0]").apply(r))
        .isInstanceOf(RoutingException.class).hasMessageStartingWith("can't write $.o[0]: step 2 meets object");
    assertThat(r.data().toString()).as("copy-on-write").isEqualTo("{\"items\":[{\"sku\":\"a\"}],\"amount\":5,\"o\":{}}");
  }

  @Test
  void writingFarPastTheEndOfAnArrayIsRefusedInsteadOfFillingTheHeap() throws Exception {
    Record r = rec("{\"items\": []}");

    assertThat(Transforms.set("$.items[3]", MAPPER.getNodeFactory().numberNode(1)).apply(r).get(0).data().toString())
        .isEqualTo("{\"items\":[null,null,null,1]}");
    assertThatThrownBy(() -> Transforms.set("$.items[999999999]", MAPPER.getNodeFactory().numberNode(1)).apply(r))
        .isInstanceOf(RoutingException.class)
        .hasMessage("can't write $.items[999999999]: index 999999999 is more than 10000 past the end of an array of 0");
    assertThatThrownBy(() -> Transforms.set("$.more[999999999].x", MAPPER.getNodeFactory().numberNode(1)).apply(r))
        .isInstanceOf(RoutingException.class).hasMessageContaining("is more than 10000 past the end");
  }

  /** Found by TransformFuzzTest: the JDK's pattern parser throws a ClassCastException for this one. */
  @Test
  void aDatePatternWhoseYearIsTooWideForTheJdkPrinterIsRefusedWhenBuilt() throws Exception {
    // java.time's printer throws ArrayIndexOutOfBoundsException for every value with a year of 11
    // to 18 letters (a Jazzer finding): refused as configuration instead of failing each record.
    assertThatThrownBy(() -> Transforms.fromSpec(
        MAPPER.readTree("{\"date\": {\"path\": \"$.d\", \"to\": \"uuuuuuuuuuuuuu\"}}"), paths))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'uuuuuuuuuuuuuu' is not a date pattern Java can write")
        .hasMessageContaining("at most 10 letters for a year");
    assertThat(Transforms.fromSpec(MAPPER.readTree("{\"date\": {\"path\": \"$.d\", \"to\": \"uuuuuuuuuu\"}}"), paths))
        .as("10 letters still work").isNotNull();
  }

  @Test
  void aDatePatternTheJdkChokesOnIsAConfigurationErrorNamingIt() throws Exception {
    assertThatThrownBy(() -> Transforms.fromSpec(
        MAPPER.readTree("{\"date\": {\"path\": \"$.d\", \"to\": \"epmch-millis\"}}"), paths))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("transform 'date': 'epmch-millis' is neither iso, epoch-millis, epoch-seconds, date"
            + " nor a valid date pattern");
  }

  /** Found by TransformFuzzTest: Jayway resolves functions only when evaluating, and threw its own exception. */
  @Test
  void aJsonPathFunctionThatFailsOnARecordIsARoutingError() throws Exception {
    Record r = rec("{\"items\": [{\"tags\": [1]}], \"n\": 5}");
    Transform filter = Transforms.filter("$.items", "@.tags.nosuchfunction() > 0", paths);

    assertThatThrownBy(() -> filter.apply(r)).isInstanceOf(RoutingException.class)
        .hasMessageContaining("JSONPath @.tags.nosuchfunction()").hasMessageContaining("nosuchfunction");
    assertThatThrownBy(() -> Conditions.compile("$.n.nosuchfunction() > 1").test(r))
        .isInstanceOf(RoutingException.class).hasMessageContaining("JSONPath $.n.nosuchfunction()");
  }
}
