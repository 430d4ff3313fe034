package dev.sluice.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldPathTest {
  private static final JsonNode DOC = read("{\"id\":7,\"a b\":{\"c\":\"x\"},\"it's\":1,\"items\":[{\"sku\":\"s1\"},"
      + "{\"sku\":\"s2\"}],\"customer\":{\"id\":\"c-1\",\"tags\":[\"t\"],\"none\":null}}");

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void jsonPathFormsWalkTheTree() {
    assertThat(FieldPath.parse("$.id").find(DOC).asInt()).isEqualTo(7);
    assertThat(FieldPath.parse(" $.customer.id ").find(DOC).asText()).isEqualTo("c-1");
    assertThat(FieldPath.parse("$['a b'].c").find(DOC).asText()).isEqualTo("x");
    assertThat(FieldPath.parse("$[\"a b\"][\"c\"]").find(DOC).asText()).isEqualTo("x");
    assertThat(FieldPath.parse("$['it\\'s']").find(DOC).asInt()).isEqualTo(1);
    assertThat(FieldPath.parse("$.items[1].sku").find(DOC).asText()).isEqualTo("s2");
    assertThat(FieldPath.parse("@.items[0].sku").find(DOC).asText()).isEqualTo("s1");
    assertThat(FieldPath.parse("$").find(DOC)).isSameAs(DOC);
    assertThat(FieldPath.parse("$.items[1].sku").steps()).containsExactly("items", 1, "sku");
  }

  @Test
  void walkingNeverThrowsAndTellsMissingFromNull() {
    assertThat(FieldPath.parse("$.missing.deeper").find(DOC)).isNull();
    assertThat(FieldPath.parse("$.id.deeper").find(DOC)).as("a name step on a number").isNull();
    assertThat(FieldPath.parse("$.customer[0]").find(DOC)).as("an index step on an object").isNull();
    assertThat(FieldPath.parse("$.items[5]").find(DOC)).isNull();
    assertThat(FieldPath.parse("$.customer.none").find(DOC).isNull()).isTrue();
    assertThat(FieldPath.parse("$.missing").path(DOC).isMissingNode()).isTrue();
    assertThat(FieldPath.parse("$.customer.none").textAt(DOC)).isNull();
    assertThat(FieldPath.parse("$.customer.tags").textAt(DOC)).as("not a scalar").isNull();
    assertThat(FieldPath.parse("$.id").textAt(DOC)).isEqualTo("7");
  }

  @Test
  void pathsThatAreNotDefiniteAreLeftToAGeneralEngine() {
    for (String p : List.of("$..sku", "$.items[*]", "$.items[?(@.sku)]", "$.items[-1]", "$.items[0:1]",
        "$['a','b']", "$.items[9999999999]", "$['unclosed", "id", "", "$.", "$.a b")) {
      assertThat(FieldPath.tryParse(p)).as(p).isNull();
    }
    assertThatThrownBy(() -> FieldPath.parse("$..sku")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'$..sku'");
  }

  @Test
  void dottedFormsAsConnectorOptionsAcceptThem() {
    assertThat(FieldPath.parseDotted("id").find(DOC).asInt()).isEqualTo(7);
    assertThat(FieldPath.parseDotted("customer.id").textAt(DOC)).isEqualTo("c-1");
    assertThat(FieldPath.parseDotted("$.customer.id").textAt(DOC)).isEqualTo("c-1");
    assertThat(FieldPath.parseDotted("$.customer.id")).hasToString("customer.id");
    assertThat(FieldPath.parseDotted("$['a b'].c").textAt(DOC)).isEqualTo("x");
    for (String bad : new String[] {"", " ", "a..b", ".a", "a.", "$", "$..a"}) {
      assertThatThrownBy(() -> FieldPath.parseDotted(bad)).as(bad)
          .hasMessage("key must be a field name or a dotted path like $.customer.id, got '" + bad + "'");
    }
  }

  @Test
  void fieldNamesAreInternedSoJacksonLookupsCompareReferences() {
    String built = new StringBuilder("cust").append("omer").toString();
    assertThat(FieldPath.parse("$." + built).steps().get(0)).isSameAs("customer");
  }
}
