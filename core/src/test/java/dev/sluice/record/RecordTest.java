package dev.sluice.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordTest {
  private static ObjectNode data() {
    return JsonNodeFactory.instance.objectNode().put("email", "ann@example.com").put("amount", 12);
  }

  @Test
  void keyMustBeNonEmpty() {
    assertThatThrownBy(() -> Record.of("", data())).hasMessageContaining("non-empty");
    assertThatThrownBy(() -> Record.of(null, data())).hasMessageContaining("non-empty");
  }

  @Test
  void toStringNeverShowsThePayload() {
    Record r = Record.builder("k1", data()).source("hubspot").build();
    assertThat(r.toString()).contains("k1").contains("hubspot").doesNotContain("ann@example.com");
  }

  @Test
  void stampingFillsOnlyWhatIsMissing() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Record bare = Record.of("k", data()).stamped("file", now);
    assertThat(bare.source()).isEqualTo("file");
    assertThat(bare.observedAt()).isEqualTo(now);
    Record full = Record.builder("k", data()).source("s").observedAt(Instant.EPOCH).build();
    assertThat(full.stamped("file", now)).isSameAs(full);
  }

  @Test
  void codecRoundTripsEveryField() {
    Record r = Record.builder("k1", data()).source("file").observedAt(Instant.parse("2026-05-01T10:00:00.5Z"))
        .attribute("file", "orders.jsonl").build();
    assertThat(RecordCodec.fromJson(RecordCodec.toJson(r))).isEqualTo(r);
    assertThatThrownBy(() -> RecordCodec.fromJson(JsonNodeFactory.instance.objectNode().put("key", "x")))
        .hasMessageContaining("'data'");
  }

  @Test
  void idempotencyKeysAreStableAndDistinctPerPipelineAndKey() {
    String a = IdempotencyKeys.of("orders", "42");
    assertThat(a).hasSize(32).matches("[0-9a-f]{32}");
    assertThat(IdempotencyKeys.of("orders", "42")).isEqualTo(a);
    assertThat(IdempotencyKeys.of("orders", "43")).isNotEqualTo(a);
    assertThat(IdempotencyKeys.of("invoices", "42")).isNotEqualTo(a);
    // the separator keeps ("ab","c") and ("a","bc") apart
    assertThat(IdempotencyKeys.of("ab", "c")).isNotEqualTo(IdempotencyKeys.of("a", "bc"));
    Batch batch = Batch.of("orders", "db", "run", List.of(Record.of("42", data())));
    assertThat(batch.idempotencyKey(0)).isEqualTo(a);
    assertThat(batch.nextAttempt().idempotencyKey(0)).isEqualTo(a);
  }

  @Test
  void checkpointsAreImmutable() {
    ObjectNode state = JsonNodeFactory.instance.objectNode().put("offset", 10);
    Checkpoint cp = Checkpoint.of(state);
    state.put("offset", 99);
    ((ObjectNode) cp.state()).put("offset", 77);
    assertThat(cp.state().get("offset").asInt()).isEqualTo(10);
  }
}
