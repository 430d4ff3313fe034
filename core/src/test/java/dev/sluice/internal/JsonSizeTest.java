package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonSizeTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static void exact(String json) throws Exception {
    JsonNode node = MAPPER.readTree(json);
    assertThat(JsonSize.of(node)).as(json).isEqualTo(MAPPER.writeValueAsString(node).length());
  }

  @Test
  void isTheCompactJsonLengthForTextIntegersBooleansNullAndNesting() throws Exception {
    exact("{}");
    exact("[]");
    exact("{\"pad\":\"xxxxxxxxxx\"}");
    exact("{\"id\":123456789012,\"neg\":-42,\"zero\":0,\"ok\":true,\"no\":false,\"none\":null}");
    exact("{\"a\":[1,2,[3,{\"b\":\"c\"}]],\"d\":{\"e\":{\"f\":\"\"}}}");
    exact("[\"x\",\"yy\",\"zzz\"]");
    exact("{\"min\":" + Long.MIN_VALUE + ",\"max\":" + Long.MAX_VALUE + "}");
  }

  @Test
  void estimatesFloatingPointNumbersWithoutFormattingThem() throws Exception {
    assertThat(JsonSize.of(MAPPER.readTree("{\"amount\":12.5}"))).isEqualTo("{\"amount\":}".length() + 8);
    assertThat(JsonSize.of(null)).isEqualTo(4);
  }
}
