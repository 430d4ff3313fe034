package dev.sluice.destinations.s3.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The key template on its own: many hostile values, every one confined or refused. */
class KeyTemplateTest {
  private static final Set<String> ALL = Set.of("pipeline", "destination", "run", "part", "ext", "date", "field");

  private static KeyTemplate.Values values(String pipeline, String run, JsonNode record) {
    return new KeyTemplate.Values() {
      @Override
      public String pipeline() {
        return pipeline;
      }

      @Override
      public String destination() {
        return "d";
      }

      @Override
      public String run() {
        return run;
      }

      @Override
      public long position() {
        return 42;
      }

      @Override
      public String ext() {
        return "jsonl.gz";
      }

      @Override
      public Instant time() {
        return Instant.parse("2026-03-14T23:30:00Z");
      }

      @Override
      public JsonNode record() {
        return record;
      }
    };
  }

  @Test
  void rendersEveryPlaceholder() {
    KeyTemplate t = KeyTemplate.parse("option 'key'", "exports/{pipeline}/{destination}/{date:yyyy/MM/dd}/{field:a.b}/{run}-{part}.{ext}",
        ZoneId.of("Europe/Berlin"), Set.of("run", "part"), ALL);
    JsonNode record = JsonNodeFactory.instance.objectNode().set("a", JsonNodeFactory.instance.objectNode().put("b", "x y"));
    assertThat(t.render(values("p", "r1", record)))
        .as("Berlin is an hour ahead: already the 15th").isEqualTo("exports/p/d/2026/03/15/x%20y/r1-0000000042.jsonl.gz");
    assertThat(t.literalPrefix()).isEqualTo("exports/");
  }

  @Test
  void randomHostileValuesNeverLeaveTheirSegment() {
    KeyTemplate t = KeyTemplate.parse("option 'key'", "tenant-a/{pipeline}/{field:v}/{run}-{part}.{ext}", ZoneId.of("UTC"),
        Set.of("run", "part"), ALL);
    String alphabet = "./\\%2eE0aZ\u0000\r\n\t ~?#&=:;@\u202E\u00fc\uD83D\uDE00";
    Random random = new Random(20261202L); // fixed seed: the same 20,000 cases on every run
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder v = new StringBuilder();
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        v.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String pipeline = random.nextBoolean() ? "sales" : v.toString().replace('.', 'x') + "p";
      JsonNode record = JsonNodeFactory.instance.objectNode().put("v", v.toString());
      String key;
      try {
        key = t.render(values(pipeline, "run-1", record));
      } catch (KeyTemplate.RefusedValueException e) {
        refused++;
        assertThat(v.toString()).as("only empty or dot-only values are refused here").matches("\\.*");
        continue;
      }
      String[] segments = key.split("/", -1);
      assertThat(segments).as(key).hasSize(4);
      assertThat(segments[0]).isEqualTo("tenant-a");
      assertThat(segments).doesNotContain("", ".", "..");
      assertThat(key).as(key).matches("[A-Za-z0-9/%._-]+");
    }
    assertThat(refused).as("the generator does produce refusable values").isPositive();
  }

  @Test
  void numbersAndBooleansAreScalarsToo() {
    KeyTemplate t = KeyTemplate.parse("option 'key'", "{field:n}/{run}-{part}", ZoneId.of("UTC"), Set.of("run", "part"), ALL);
    assertThat(t.render(values("p", "r", JsonNodeFactory.instance.objectNode().put("n", -1.5)))).isEqualTo("-1.5/r-0000000042");
    assertThat(t.render(values("p", "r", JsonNodeFactory.instance.objectNode().put("n", true)))).isEqualTo("true/r-0000000042");
    JsonNode array = JsonNodeFactory.instance.objectNode().set("n", JsonNodeFactory.instance.arrayNode().add(1));
    assertThatThrownBy(() -> t.render(values("p", "r", array)))
        .isInstanceOf(KeyTemplate.RefusedValueException.class).hasMessageContaining("must be a string, number or boolean");
  }
}
