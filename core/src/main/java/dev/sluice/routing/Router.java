package dev.sluice.routing;

import dev.sluice.record.Record;
import java.util.List;
import java.util.Map;

/**
 * The compiled rules of one pipeline: for each record, tries the rules in priority order, applies
 * the matching rules' transformations (copy-on-write: each rule starts from the record as read)
 * and hands the results to the destinations, by index.
 *
 * <p>Immutable and thread-safe; counters are kept by the caller, so one router serves concurrent
 * runs without contention.
 */
public final class Router {
  private final RoutingRule[] rules;
  private final int[][] targets;
  private final int[] otherwise;
  private final Transform[][] transforms;

  /**
   * @param rulesInPriorityOrder the rules, already sorted
   * @param otherwise destinations of unmatched records
   * @param destinationIndex index of every destination named by a rule or {@code otherwise}
   * @throws IllegalArgumentException when a rule names a destination missing from the index
   */
  public Router(
      List<RoutingRule> rulesInPriorityOrder,
      List<String> otherwise,
      Map<String, Integer> destinationIndex) {
    this.rules = rulesInPriorityOrder.toArray(new RoutingRule[0]);
    this.targets = new int[rules.length][];
    this.transforms = new Transform[rules.length][];
    for (int i = 0; i < rules.length; i++) {
      targets[i] = indexes(rules[i].targets(), destinationIndex, "rule '" + rules[i].name() + "'");
      transforms[i] = rules[i].transforms().toArray(new Transform[0]);
    }
    this.otherwise = indexes(otherwise, destinationIndex, "otherwise");
  }

  /** The rules, in evaluation order; index {@code i} matches {@code ruleMatches[i]}. */
  public List<RoutingRule> rules() {
    return List.of(rules);
  }

  /**
   * Routes one record.
   *
   * @param ruleMatches incremented at the index of each rule that matched; length {@code
   *     rules().size()}
   * @return the number of rules that matched, or -1 when none did and the record went to {@code
   *     otherwise} destinations; 0 means unmatched with nowhere to go
   * @throws RoutingException when a condition or transformation fails on this record
   */
  public int route(Record record, RouteSink sink, long[] ruleMatches) throws InterruptedException {
    int matched = 0;
    for (int i = 0; i < rules.length; i++) {
      RoutingRule rule = rules[i];
      boolean hit;
      try {
        hit = rule.condition().test(record);
      } catch (RoutingException e) {
        throw new RoutingException("rule '" + rule.name() + "': " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw new RoutingException("rule '" + rule.name() + "': condition failed: " + e, e);
      }
      if (!hit) {
        continue;
      }
      matched++;
      ruleMatches[i]++;
      if (transforms[i].length == 0) {
        for (int t : targets[i]) {
          sink.accept(t, record, null);
        }
      } else {
        for (Record out : transform(rule, transforms[i], record)) {
          for (int t : targets[i]) {
            sink.accept(t, out, record);
          }
        }
      }
      if (rule.stop()) {
        break;
      }
    }
    if (matched == 0 && otherwise.length > 0) {
      for (int t : otherwise) {
        sink.accept(t, record, null);
      }
      return -1;
    }
    return matched;
  }

  private static List<Record> transform(RoutingRule rule, Transform[] steps, Record record) {
    List<Record> current = List.of(record);
    for (int s = 0; s < steps.length; s++) {
      List<Record> next = current.size() == 1 ? null : new java.util.ArrayList<>();
      for (Record r : current) {
        List<Record> produced;
        try {
          produced = steps[s].apply(r);
        } catch (RoutingException e) {
          throw new RoutingException(
              "rule '" + rule.name() + "', transform " + (s + 1) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
          throw new RoutingException(
              "rule '" + rule.name() + "', transform " + (s + 1) + " failed: " + e, e);
        }
        if (next == null) {
          next = produced;
        } else {
          next.addAll(produced);
        }
      }
      current = next;
    }
    return current;
  }

  private static int[] indexes(List<String> names, Map<String, Integer> index, String owner) {
    int[] out = new int[names.size()];
    for (int i = 0; i < out.length; i++) {
      Integer idx = index.get(names.get(i));
      if (idx == null) {
        throw new IllegalArgumentException(owner + " routes to unknown destination '" + names.get(i) + "'");
      }
      out[i] = idx;
    }
    return out;
  }

  /** Receives routed records. */
  @FunctionalInterface
  public interface RouteSink {
    /**
     * @param destination index of the destination
     * @param record what to deliver
     * @param original the record as read when {@code record} was transformed, else null
     */
    void accept(int destination, Record record, Record original) throws InterruptedException;
  }
}
