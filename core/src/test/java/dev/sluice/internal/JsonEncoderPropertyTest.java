package dev.sluice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.sluice.record.Record;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The encoder's bytes are Jackson's bytes ({@code writeValueAsBytes}, UTF-8: a lone surrogate is
 * escaped there, unlike in {@code writeValueAsString}) for the same tree, for every node type.
 */
class JsonEncoderPropertyTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final ObjectMapper JACKSON = new ObjectMapper();
  private static final String CHARS = "aZ09 \"\\/\b\f\n\r\t\u0000\u001f\u007f\u00e9\u20ac\ud83d\ude00<>&'";

  @Property(tries = 3000)
  void encodesEveryTreeAsJacksonDoes(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int depth)
      throws IOException {
    JsonNode tree = tree(new Random(seed), depth);
    // Compared as escaped text: control characters would garble the report.
    assertThat(visible(new String(JsonEncoder.encode(tree), StandardCharsets.UTF_8)))
        .isEqualTo(visible(new String(JACKSON.writeValueAsBytes(tree), StandardCharsets.UTF_8)));
  }

  @Test
  void oddNodesAreLeftToJackson() throws IOException {
    ObjectNode n = F.objectNode();
    n.put("bytes", new byte[] {1, 2, 3, (byte) 0xff});
    n.putPOJO("pojo", List.of("a", 1));
    n.putRawValue("raw", new RawValue("{\"x\":1}"));
    n.put("double", 1e300);
    n.put("float", 0.1f);
    n.put("short", (short) -7);
    n.put("nan", Double.NaN);
    n.set("bigint", F.numberNode(new BigInteger("123456789012345678901234567890")));
    n.set("exp", F.numberNode(new BigDecimal("1E+3")));
    n.set("scale", F.numberNode(new BigDecimal("12.500")));
    assertThat(new String(JsonEncoder.encode(n), StandardCharsets.UTF_8)).isEqualTo(JACKSON.writeValueAsString(n));
  }

  @Test
  void aRecordSharesOneEncodingAcrossCopiesAndThreads() throws Exception {
    ObjectNode data = F.objectNode().put("id", 7).put("name", "\u00e9t\u00e9");
    Record record = Record.of("7", data);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> outs = pool.invokeAll(List.of(
          () -> write(record), () -> write(record), () -> write(record.withKey("8")), () -> write(record)));
      for (Future<String> out : outs) {
        assertThat(out.get()).isEqualTo("{\"id\":7,\"name\":\"\u00e9t\u00e9\"}");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(record.jsonLength()).isEqualTo(JACKSON.writeValueAsBytes(data).length);
    // A new payload is a new encoding, never the old one.
    assertThat(write(record.withData(F.objectNode().put("id", 9)))).isEqualTo("{\"id\":9}");
  }

  @Test
  void aHugeValueDoesNotPoisonTheThreadsEncoder() throws IOException {
    ObjectNode big = F.objectNode().put("blob", "x".repeat(3 << 20));
    assertThat(JsonEncoder.encode(big)).hasSize(3 * (1 << 20) + 11);
    ObjectNode small = F.objectNode().put("a", 1);
    assertThat(new String(JsonEncoder.encode(small), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
  }

  private static String visible(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().forEach(c -> b.append(c < 0x20 || c > 0x7e ? String.format("\\x{%x}", c) : String.valueOf((char) c)));
    return b.toString();
  }

  private static String write(Record r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    r.writeJsonTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private static JsonNode tree(Random r, int depth) {
    int kind = r.nextInt(depth > 0 ? 14 : 11);
    return switch (kind) {
      case 0 -> F.textNode(text(r));
      case 1 -> F.numberNode(r.nextInt());
      case 2 -> F.numberNode(r.nextLong());
      case 3 -> F.numberNode(new BigDecimal(BigInteger.valueOf(r.nextLong()), r.nextInt(40) - 20));
      case 4 -> F.numberNode(new BigInteger(90, r).negate());
      case 5 -> F.numberNode(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
      case 6 -> F.numberNode(r.nextFloat());
      case 7 -> F.booleanNode(r.nextBoolean());
      case 8 -> F.nullNode();
      case 9 -> F.numberNode((short) r.nextInt());
      case 10 -> F.textNode("");
      case 11, 12 -> {
        ObjectNode o = F.objectNode();
        for (int i = r.nextInt(6); i > 0; i--) {
          o.set(text(r), tree(r, depth - 1));
        }
        yield o;
      }
      default -> {
        ArrayNode a = F.arrayNode();
        for (int i = r.nextInt(6); i > 0; i--) {
          a.add(tree(r, depth - 1));
        }
        yield a;
      }
    };
  }

  private static String text(Random r) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(12); i > 0; i--) {
      b.append(CHARS.charAt(r.nextInt(CHARS.length())));
    }
    return b.toString();
  }
}
