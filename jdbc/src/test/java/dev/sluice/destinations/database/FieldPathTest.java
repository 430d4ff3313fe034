package dev.sluice.destinations.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class FieldPathTest {
  private final JsonNode doc = read("{\"id\":7,\"a b\":{\"c\":\"x\"},\"it's\":1,\"items\":[{\"sku\":\"s1\",\"qty\":2},"
      + "{\"sku\":\"s2\",\"qty\":5}],\"customer\":{\"name\":\"Ada\"}}");

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void plainPathsAreWalkedDirectly() {
    assertThat(FieldPath.compile("$.id").read(doc).asInt()).isEqualTo(7);
    assertThat(FieldPath.compile("$.customer.name").read(doc).asText()).isEqualTo("Ada");
    assertThat(FieldPath.compile("$['a b'].c").read(doc).asText()).isEqualTo("x");
    assertThat(FieldPath.compile("$[\"a b\"][\"c\"]").read(doc).asText()).isEqualTo("x");
    assertThat(FieldPath.compile("$['it\\'s']").read(doc).asInt()).isEqualTo(1);
    assertThat(FieldPath.compile("$.items[1].sku").read(doc).asText()).isEqualTo("s2");
    assertThat(FieldPath.compile("$").read(doc)).isEqualTo(doc);
    assertThat(FieldPath.compile("$.missing.deeper").read(doc).isMissingNode()).isTrue();
  }

  @Test
  void otherPathsAreEvaluatedByJsonPath() {
    assertThat(FieldPath.compile("$.items[*].sku").read(doc).toString()).isEqualTo("[\"s1\",\"s2\"]");
    assertThat(FieldPath.compile("$.items[?(@.qty > 3)].sku").read(doc).toString()).isEqualTo("[\"s2\"]");
    assertThat(FieldPath.compile("$..name").read(doc).toString()).isEqualTo("[\"Ada\"]");
  }

  @Test
  void somethingThatIsNotAJsonPathIsRefusedWithTheExpression() {
    assertThatThrownBy(() -> FieldPath.compile("id")).hasMessageContaining("'id'").hasMessageContaining("$");
    assertThatThrownBy(() -> FieldPath.compile("$.items[?(@.qty >")).hasMessageContaining("$.items[?(@.qty >");
  }
}
