package dev.sluice.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import java.util.List;
import java.util.Locale;

/**
 * How the rules treated one record, without delivering it: every rule in evaluation order, whether
 * it matched and why (each comparison with its operand values), what the transformations produced
 * and where it would go.
 *
 * @param input the record as read
 * @param rules one entry per rule, in evaluation order
 * @param outcome the overall result
 * @param deliveries destination name and record for everything that would be delivered
 * @param error the routing error, or null
 */
public record RecordTrace(
    Record input, List<RuleEvaluation> rules, Outcome outcome, List<Delivery> deliveries, String error) {

  /** What happened to the record as a whole. */
  public enum Outcome {
    /** At least one rule matched. */
    MATCHED,
    /** No rule matched; the pipeline's {@code otherwise} destinations take it. */
    OTHERWISE,
    /** No rule matched and there is no {@code otherwise}: dropped or dead-lettered by policy. */
    UNMATCHED,
    /** A condition or transformation failed: handled by the error policy. */
    ERROR
  }

  /** What one rule did. */
  public enum Status {
    /** The condition matched; the outputs went (or would go) to its destinations. */
    MATCHED,
    /** The condition did not match. */
    NOT_MATCHED,
    /** Not evaluated: an earlier rule matched with {@code stop}, or an error ended routing. */
    SKIPPED,
    /** The condition or a transformation failed. */
    ERROR
  }

  /**
   * One rule's evaluation.
   *
   * @param rule the rule's name
   * @param condition the condition as written, or null for "always"
   * @param status what happened
   * @param comparisons the comparisons made, with operand values (empty for Java conditions)
   * @param outputs the transformed records (data only), when matched
   * @param destinations where the outputs would go, when matched
   * @param stop whether the rule ends matching when it matches
   * @param error the error, or null
   */
  public record RuleEvaluation(
      String rule,
      String condition,
      Status status,
      List<ConditionTrace> comparisons,
      List<ObjectNode> outputs,
      List<String> destinations,
      boolean stop,
      String error) {}

  /**
   * A record that would be delivered.
   *
   * @param destination the destination's name
   * @param record the record after the rule's transformations
   * @param rule the rule that sent it, or null for {@code otherwise}
   */
  public record Delivery(String destination, Record record, String rule) {}

  /**
   * The trace as JSON, for the REST API.
   *
   * @return a new JSON object with key, input, outcome, rules (with comparisons, outputs and
   *     destinations) and deliveries
   */
  public ObjectNode toJson() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode n = f.objectNode();
    n.put("key", input.key());
    n.set("input", input.data().deepCopy());
    n.put("outcome", outcome.name());
    if (error != null) {
      n.put("error", error);
    }
    ArrayNode rs = n.putArray("rules");
    for (RuleEvaluation r : rules) {
      ObjectNode o = rs.addObject();
      o.put("rule", r.rule());
      if (r.condition() != null) {
        o.put("condition", r.condition());
      }
      o.put("status", r.status().name());
      ArrayNode cs = o.putArray("comparisons");
      for (ConditionTrace c : r.comparisons()) {
        ObjectNode co = cs.addObject();
        co.put("left", c.left());
        co.set("leftValue", c.leftValue() == null ? null : c.leftValue());
        if (c.leftValue() == null) {
          co.put("leftMissing", true);
        }
        co.put("operator", c.operator());
        if (c.right() != null) {
          co.put("right", c.right());
        }
        if (c.rightValue() != null) {
          co.set("rightValue", c.rightValue());
        }
        co.put("result", c.result());
      }
      if (r.status() == Status.MATCHED) {
        ArrayNode outs = o.putArray("outputs");
        r.outputs().forEach(outs::add);
        ArrayNode ds = o.putArray("destinations");
        r.destinations().forEach(ds::add);
      }
      if (r.error() != null) {
        o.put("error", r.error());
      }
    }
    ArrayNode ds = n.putArray("deliveries");
    for (Delivery d : deliveries) {
      ObjectNode o = ds.addObject();
      o.put("destination", d.destination());
      o.put("key", d.record().key());
      if (d.rule() != null) {
        o.put("rule", d.rule());
      }
      o.set("record", d.record().data().deepCopy());
    }
    return n;
  }

  /**
   * The trace for people: one block per record.
   *
   * @return multi-line text, one line per rule and comparison
   */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("record ").append(input.key()).append(": ").append(outcome.name().toLowerCase(Locale.ROOT)).append('\n');
    for (RuleEvaluation r : rules) {
      sb.append("  rule ").append(r.rule());
      if (r.condition() != null) {
        sb.append("  when ").append(r.condition());
      }
      sb.append("  -> ").append(r.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
      if (r.status() == Status.MATCHED && r.stop()) {
        sb.append(" (stop)");
      }
      sb.append('\n');
      for (ConditionTrace c : r.comparisons()) {
        sb.append("      ").append(c.left()).append(" = ").append(show(c.leftValue())).append("  ")
            .append(c.operator());
        if (c.right() != null) {
          sb.append(' ').append(c.right());
          if (c.rightValue() != null) {
            sb.append(" = ").append(show(c.rightValue()));
          }
        }
        sb.append("  => ").append(c.result()).append('\n');
      }
      if (r.status() == Status.MATCHED) {
        for (ObjectNode out : r.outputs()) {
          sb.append("      output ").append(out).append('\n');
        }
        if (!r.destinations().isEmpty()) {
          sb.append("      to ").append(String.join(", ", r.destinations())).append('\n');
        }
      }
      if (r.error() != null) {
        sb.append("      error: ").append(r.error()).append('\n');
      }
    }
    if (outcome == Outcome.OTHERWISE) {
      sb.append("  otherwise -> ").append(String.join(", ",
          deliveries.stream().map(Delivery::destination).toList())).append('\n');
    }
    return sb.toString();
  }

  private static String show(JsonNode v) {
    return v == null ? "(missing)" : v.toString();
  }
}
