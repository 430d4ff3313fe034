package dev.sluice.destinations.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.destinations.s3.internal.S3Settings;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Records (and pipeline names) trying to steer object keys out of the template's prefix: every
 * attempt ends inside its own path segment, percent-encoded, or the record is refused for good.
 */
class KeyTemplateInjectionTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private S3Fixture s3;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Fixture();
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  private static Record record(String key, ObjectNode data) {
    return Record.builder(key, data).observedAt(S3Fixture.NOW).build();
  }

  @Test
  void recordValuesStayInsideTheirSegmentOrAreRefused() throws Exception {
    Map<String, String> hostile = new LinkedHashMap<>();
    hostile.put("traversal", "../../etc/passwd");
    hostile.put("slash", "a/b");
    hostile.put("backslash", "..\\..\\x");
    hostile.put("encoded", "%2e%2e%2f");
    hostile.put("control", "x\u0000y\r\nz");
    hostile.put("absolute", "/root");
    hostile.put("unicode", "Zürich \u202E");
    hostile.put("plain", "de");
    List<Record> records = new ArrayList<>();
    hostile.forEach((k, v) -> records.add(record(k, F.objectNode().put("country", v))));
    // Refused: values that can't name a segment, and values that are not scalars.
    records.add(record("dotdot", F.objectNode().put("country", "..")));
    records.add(record("dot", F.objectNode().put("country", ".")));
    records.add(record("empty", F.objectNode().put("country", "")));
    records.add(record("missing", F.objectNode().put("other", 1)));
    records.add(record("null", F.objectNode().putNull("country")));
    ObjectNode nested = F.objectNode();
    nested.putObject("country").put("path", "../x");
    records.add(record("object", nested));
    records.add(record("long", F.objectNode().put("country", "a".repeat(500))));

    DeliveryResult result;
    try (S3Destination d = s3.destination(Map.of("key", "exports/{field:country}/{run}-{part}.{ext}"))) {
      result = d.deliver(Batch.of("p", "exports", "r", records));
    }
    assertThat(result.failures()).containsOnlyKeys(8, 9, 10, 11, 12, 13, 14);
    assertThat(result.failures().values()).allSatisfy(f -> {
      assertThat(f.retryable()).isFalse();
      assertThat(f.reason()).contains("field 'country'");
    });
    List<String> keys = s3.keys();
    assertThat(keys).hasSize(8).allSatisfy(k -> {
      assertThat(k).startsWith("exports/");
      String[] segments = k.split("/", -1);
      assertThat(segments).hasSize(3).doesNotContain("..", ".", "");
      assertThat(k).doesNotContain("\\").matches("[A-Za-z0-9/%._-]+");
    });
    assertThat(keys).contains(
        "exports/..%2F..%2Fetc%2Fpasswd/r-0000000000.jsonl.gz",
        "exports/a%2Fb/r-0000000001.jsonl.gz",
        "exports/%252e%252e%252f/r-0000000003.jsonl.gz",
        "exports/de/r-0000000007.jsonl.gz");
  }

  @Test
  void pipelineAndRunNamesAreEncodedToo() throws Exception {
    try (S3Destination d = s3.destination(Map.of())) {
      assertThat(d.deliver(Batch.of("../../other-tenant", "exports", "../run", List.of(
          record("k", F.objectNode().put("a", 1))))).isSuccess()).isTrue();
    }
    assertThat(s3.keys()).containsExactly("..%2F..%2Fother-tenant/2026/03/14/..%2Frun-0000000000.jsonl.gz");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "../{run}-{part}",
      "a/../{run}-{part}",
      "/abs/{run}-{part}",
      "a//{run}-{part}",
      "a/./{run}-{part}",
      "a\\b/{run}-{part}",
      "a\u0001/{run}-{part}",
      "a b/{run}-{part}",
      "{pipeline}/{run}",
      "{pipeline}/{part}",
      "{unknown}/{run}-{part}",
      "{run}-{part",
      "{run}}-{part}",
      "{date:yyyy 'at' HH}/{run}-{part}",
      "{date:yyyy'/../'MM}/{run}-{part}",
      "{field:}/{run}-{part}",
      "{run:x}-{part}",
      "{run}-{part}/"})
  void unsafeTemplatesAreRefusedAtConfigurationTime(String template) {
    assertThatThrownBy(() -> S3Settings.from(PluginConfig.of("destination 'exports' (type s3)",
        Map.of("bucket", "b-1", "key", template))))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("destination 'exports' (type s3)")
        .hasMessageContaining("option 'key'");
  }
}
