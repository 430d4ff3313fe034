package dev.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginConfigTest {
  private final PluginConfig config = PluginConfig.of("destination 'alerts' (type file)", Map.of(
      "path", "out/a.jsonl",
      "batchSize", 50,
      "textNumber", "42",
      "linger", "250ms",
      "iso", "PT2M",
      "sync", "false",
      "columns", List.of("id", "amount"),
      "mode", "append",
      "token", "tok_very_secret",
      "tokenNumber", 12345));

  @Test
  void typedGettersWithDefaults() {
    assertThat(config.string("path")).isEqualTo("out/a.jsonl");
    assertThat(config.string("missing", "x")).isEqualTo("x");
    assertThat(config.intValue("batchSize", 1, 1, 100)).isEqualTo(50);
    assertThat(config.intValue("textNumber", 1, 1, 100)).isEqualTo(42);
    assertThat(config.intValue("absent", 7, 1, 100)).isEqualTo(7);
    assertThat(config.duration("linger", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(config.duration("iso", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.bool("sync", true)).isFalse();
    assertThat(config.stringList("columns")).containsExactly("id", "amount");
    assertThat(config.stringList("path")).containsExactly("out/a.jsonl");
    assertThat(config.enumValue("mode", Mode.class, Mode.OVERWRITE)).isEqualTo(Mode.APPEND);
  }

  enum Mode { OVERWRITE, APPEND, DEAD_LETTER }

  @Test
  void errorsNameTheOwnerTheOptionAndWhatWasExpected() {
    assertThatThrownBy(() -> config.string("url"))
        .isInstanceOf(PluginConfigException.class)
        .hasMessage("destination 'alerts' (type file): option 'url' is required (a string)");
    assertThatThrownBy(() -> config.intValue("batchSize", 1, 1, 10))
        .hasMessage("destination 'alerts' (type file): option 'batchSize' must be an integer between 1 and 10, got 50");
    assertThatThrownBy(() -> config.duration("path", Duration.ZERO))
        .hasMessageContaining("option 'path' must be a duration such as 500ms");
    assertThatThrownBy(() -> config.enumValue("path", Mode.class, null))
        .hasMessageContaining("must be one of overwrite, append, dead-letter");
    assertThatThrownBy(() -> config.bool("path", true)).hasMessageContaining("must be true or false");
  }

  @Test
  void secretsNeverAppearInMessagesOrToString() {
    assertThat(config.secret("token")).isEqualTo("tok_very_secret");
    assertThatThrownBy(() -> config.secret("tokenNumber"))
        .hasMessageContaining("value hidden")
        .hasMessageNotContaining("12345");
    assertThat(config.toString()).contains("token").doesNotContain("tok_very_secret");
  }

  @Test
  void optionsAreCopiedOnTheWayInAndOut() {
    var node = config.asObjectNode();
    node.put("path", "changed");
    assertThat(config.string("path")).isEqualTo("out/a.jsonl");
  }
}
