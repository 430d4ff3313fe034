package dev.sluice.routing;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Transformations are written by users but applied to untrusted records: building a step from any
 * JSON spec either succeeds or throws {@link IllegalArgumentException} / {@link
 * ConditionSyntaxException} (a {@code filter}'s condition), and applying a built step to any record
 * either returns records or throws {@link RoutingException} — and never changes the record it was
 * given (copy-on-write). Anything else (an NPE, a ClassCastException, an arithmetic or date-time
 * exception, a stack overflow) is a finding.
 *
 * <p>Input: the first line is the step's JSON spec, the rest the record's JSON data (see the seeds
 * in {@code TransformFuzzTestInputs/}). The default test run replays the committed corpus; the
 * build's {@code fuzz} execution fuzzes for {@code maxDuration}.
 */
class TransformFuzzTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectNode SAMPLE = (ObjectNode) parse(
      "{\"id\":\"o-1\",\"amount\":1234.5,\"created\":\"2026-03-29T01:30:00Z\",\"day\":\"29.03.2026 02:30\","
          + "\"customer\":{\"email\":\" Ann@Example.com \",\"country\":\"DE\"},\"tags\":[\"a\",\"b\"],"
          + "\"items\":[{\"sku\":\"x\",\"qty\":2},{\"sku\":\"y\",\"qty\":0}],\"flag\":\"yes\",\"none\":null,"
          + "\"a.b\":1,\"epoch\":1774747800000}");

  @FuzzTest(maxDuration = "20s")
  void buildsOrRefusesAndAppliesOrFails(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    JsonNode spec = parse(newline < 0 ? text : text.substring(0, newline));
    JsonNode data = newline < 0 ? null : parse(text.substring(newline + 1));
    if (spec == null) {
      return;
    }
    Transform step;
    try {
      step = Transforms.fromSpec(spec, new PathCache());
    } catch (IllegalArgumentException | ConditionSyntaxException expected) {
      return;
    }
    if (step instanceof Transforms.CustomStep) {
      return; // a plugin's step: applying it needs the plugin, bound when Sluice is built
    }
    for (ObjectNode r : new ObjectNode[] {data instanceof ObjectNode ? (ObjectNode) data : SAMPLE, SAMPLE}) {
      ObjectNode before = r.deepCopy();
      Record record = Record.of("k", r);
      try {
        List<Record> out = step.apply(record);
        if (out == null) {
          throw new AssertionError(spec + " returned null for " + before);
        }
        for (Record o : out) {
          if (o == null || o.data() == null) {
            throw new AssertionError(spec + " returned a null record for " + before);
          }
        }
      } catch (RoutingException expected) {
        // a documented failure on this record
      }
      if (!r.equals(before)) {
        throw new AssertionError(spec + " changed the record it was given: " + before + " became " + r);
      }
      if (step instanceof InPlaceTransform inPlace) {
        ObjectNode copy = before.deepCopy();
        try {
          inPlace.applyInPlace(copy, Record.of("k", copy));
        } catch (RoutingException expected) {
          // a documented failure on this record
        }
      }
    }
  }

  private static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      return null;
    }
  }
}
