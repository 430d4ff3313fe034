package dev.sluice.routing;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;

/**
 * Conditions are written by users but evaluated on untrusted records (webhook bodies): compiling any
 * text either succeeds or throws {@link ConditionSyntaxException}, and evaluating a compiled
 * condition on any record either answers or throws {@link RoutingException}. Anything else (an NPE,
 * a stack overflow, an index out of bounds) is a finding.
 *
 * <p>The default test run replays the committed corpus in {@code ConditionFuzzTestInputs/}; the
 * build's {@code fuzz} execution fuzzes for {@code maxDuration}.
 */
class ConditionFuzzTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectNode SAMPLE = (ObjectNode) parse(
      "{\"id\":\"o-1\",\"amount\":1234.5,\"customer\":{\"email\":\"ann@example.com\",\"country\":\"DE\"},"
          + "\"tags\":[\"a\",\"b\"],\"items\":[{\"sku\":\"x\",\"qty\":2}],\"flag\":true,\"none\":null}");

  @FuzzTest(maxDuration = "20s")
  void compilesOrRefusesAndEvaluatesOrFails(FuzzedDataProvider data) {
    String expression = data.consumeString(200);
    ObjectNode record = data.remainingBytes() > 0 ? asObject(data.consumeRemainingAsString()) : SAMPLE;
    CompiledCondition condition;
    try {
      condition = Conditions.compile(expression);
    } catch (ConditionSyntaxException expected) {
      return;
    }
    for (ObjectNode r : new ObjectNode[] {record, SAMPLE}) {
      try {
        boolean matched = condition.test(Record.of("k", r));
        if (condition.trace(Record.of("k", r)).matched() != matched) {
          throw new AssertionError("trace() and test() disagree on '" + expression + "' for " + r);
        }
      } catch (RoutingException expected) {
        // a documented failure on this record
      }
    }
  }

  private static ObjectNode asObject(String json) {
    Object parsed = parse(json);
    return parsed instanceof ObjectNode ? (ObjectNode) parsed : SAMPLE;
  }

  private static Object parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (Exception e) {
      return null;
    }
  }
}
