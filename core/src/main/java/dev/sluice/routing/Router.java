package dev.sluice.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Record;
import dev.sluice.routing.RecordTrace.Delivery;
import dev.sluice.routing.RecordTrace.RuleEvaluation;
import dev.sluice.routing.RecordTrace.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * The compiled rules of one pipeline: for each record, tries the rules in priority order, applies
 * the matching rules' transformations and hands the results to the destinations, by index.
 *
 * <p>Copy-on-write: every rule starts from the record as read, and a rule's in-place
 * transformations work on one private copy of the data, so one route's changes never leak into
 * another's.
 *
 * <p>All or nothing: a record's rules are all evaluated before any result is handed out, so a
 * failing condition or transformation in a later rule never leaves an earlier rule's delivery
 * behind (see {@link #route}).
 *
 * <p>Immutable and thread-safe; counters and the {@link Scratch} buffer are kept by the caller, so
 * one router serves concurrent runs without contention.
 */
public final class Router {
  private final RoutingRule[] rules;
  private final int[][] targets;
  private final int[] otherwise;
  private final List<String> destinationNames;
  private final Transform[][] transforms;

  /**
   * @param rulesInPriorityOrder the rules, already sorted and bound
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
    String[] names = new String[destinationIndex.size()];
    destinationIndex.forEach((name, i) -> names[i] = name);
    this.destinationNames = List.of(names);
  }

  /**
   * The rules, in evaluation order; index {@code i} matches {@code ruleMatches[i]}.
   * @return an unmodifiable list, never null
   */
  public List<RoutingRule> rules() {
    return List.of(rules);
  }

  /**
   * The destination names, by the index {@link RouteSink#accept} receives.
   *
   * @return an unmodifiable list, never null
   */
  public List<String> destinations() {
    return destinationNames;
  }

  /**
   * Routes one record, all or nothing: every rule is evaluated first (conditions and
   * transformations), and only when all of them succeeded are the results handed to {@code sink},
   * in rule order. When a condition or transformation fails, nothing reaches {@code sink} and
   * {@code ruleMatches} is left unchanged, so a record is never both delivered and dead-lettered.
   *
   * @param record the record to route; not changed
   * @param scratch the caller's reusable buffer (one per routing thread or run, never shared
   *     between threads); it is empty again when this method returns
   * @param sink receives each (destination, record) result, on the calling thread
   * @param ruleMatches incremented at the index of each rule that matched, after routing
   *     succeeded; length {@code rules().size()}
   * @return the number of rules that matched, or -1 when none did and the record went to {@code
   *     otherwise} destinations; 0 means unmatched with nowhere to go
   * @throws RoutingException when a condition or transformation fails on this record; then
   *     nothing was handed to {@code sink}
   * @throws InterruptedException when {@code sink} is interrupted; the results before it were
   *     handed out
   */
  public int route(Record record, Scratch scratch, RouteSink sink, long[] ruleMatches) throws InterruptedException {
    int matched = plan(record, scratch);
    try {
      for (int i = 0; i < scratch.matchedRules; i++) {
        ruleMatches[scratch.rules[i]]++;
      }
      for (int i = 0; i < scratch.size; i++) {
        sink.accept(scratch.destinations[i], scratch.records[i], scratch.originals[i]);
      }
    } finally {
      scratch.clear();
    }
    return matched;
  }

  /**
   * Evaluates every rule and fills {@code out} with what goes where; on an error {@code out} is
   * left empty. Returns what {@link #route} returns.
   */
  private int plan(Record record, Scratch out) {
    try {
      int matched = 0;
      for (int i = 0; i < rules.length; i++) {
        RoutingRule rule = rules[i];
        if (!test(rule, record)) {
          continue;
        }
        matched++;
        out.addRule(i);
        int[] to = targets[i];
        if (transforms[i].length == 0) {
          for (int t : to) {
            out.add(t, record, null);
          }
        } else {
          for (Record result : transform(rule, transforms[i], record)) {
            for (int t : to) {
              out.add(t, result, record);
            }
          }
        }
        if (rule.stop()) {
          break;
        }
      }
      if (matched == 0 && otherwise.length > 0) {
        for (int t : otherwise) {
          out.add(t, record, null);
        }
        return -1;
      }
      return matched;
    } catch (RuntimeException e) {
      out.clear();
      throw e;
    }
  }

  /**
   * Routes one record without delivering it, recording everything that happens.
   *
   * @param record the record to route; not changed
   * @return the trace; a routing error is recorded in it, not thrown
   */
  public RecordTrace trace(Record record) {
    List<RuleEvaluation> evaluations = new ArrayList<>();
    List<Delivery> deliveries = new ArrayList<>();
    boolean any = false;
    String stoppedBy = null;
    String error = null;
    for (int i = 0; i < rules.length; i++) {
      RoutingRule rule = rules[i];
      if (stoppedBy != null || error != null) {
        evaluations.add(new RuleEvaluation(rule.name(), rule.expression(), Status.SKIPPED, List.of(), List.of(),
            List.of(), rule.stop(), null));
        continue;
      }
      List<ConditionTrace> comparisons = List.of();
      boolean hit;
      List<Record> outputs;
      try {
        if (rule.condition() instanceof CompiledCondition) {
          CompiledCondition.Result r = ((CompiledCondition) rule.condition()).trace(record);
          comparisons = r.steps();
          hit = r.matched();
        } else {
          hit = test(rule, record);
        }
        outputs = hit ? (transforms[i].length == 0 ? List.of(record) : transform(rule, transforms[i], record)) : List.of();
      } catch (RoutingException e) {
        error = e.getMessage();
        evaluations.add(new RuleEvaluation(rule.name(), rule.expression(), Status.ERROR, comparisons, List.of(),
            List.of(), rule.stop(), e.getMessage()));
        continue;
      }
      if (!hit) {
        evaluations.add(new RuleEvaluation(rule.name(), rule.expression(), Status.NOT_MATCHED, comparisons,
            List.of(), List.of(), rule.stop(), null));
        continue;
      }
      any = true;
      List<ObjectNode> data = outputs.stream().map(r -> r.data().deepCopy()).toList();
      evaluations.add(new RuleEvaluation(rule.name(), rule.expression(), Status.MATCHED, comparisons, data,
          rule.targets(), rule.stop(), null));
      for (Record out : outputs) {
        for (String target : rule.targets()) {
          deliveries.add(new Delivery(target, out, rule.name()));
        }
      }
      if (rule.stop()) {
        stoppedBy = rule.name();
      }
    }
    RecordTrace.Outcome outcome;
    if (error != null) {
      outcome = RecordTrace.Outcome.ERROR;
      deliveries.clear();
    } else if (any) {
      outcome = RecordTrace.Outcome.MATCHED;
    } else if (otherwise.length > 0) {
      outcome = RecordTrace.Outcome.OTHERWISE;
      for (int t : otherwise) {
        deliveries.add(new Delivery(destinationNames.get(t), record, null));
      }
    } else {
      outcome = RecordTrace.Outcome.UNMATCHED;
    }
    return new RecordTrace(record, List.copyOf(evaluations), outcome, List.copyOf(deliveries), error);
  }

  private static boolean test(RoutingRule rule, Record record) {
    try {
      return rule.condition().test(record);
    } catch (RoutingException e) {
      throw new RoutingException("rule '" + rule.name() + "': " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new RoutingException("rule '" + rule.name() + "': condition failed: " + e, e);
    }
  }

  /** Applies a rule's steps, copying the data once before the first in-place step. */
  private static List<Record> transform(RoutingRule rule, Transform[] steps, Record record) {
    List<Record> current = new ArrayList<>(1);
    current.add(record);
    BitSet owned = new BitSet(); // which records' data is a private copy this rule may edit
    for (int s = 0; s < steps.length; s++) {
      Transform step = steps[s];
      try {
        if (step instanceof InPlaceTransform) {
          InPlaceTransform inPlace = (InPlaceTransform) step;
          for (int j = 0; j < current.size(); j++) {
            Record r = current.get(j);
            if (!owned.get(j)) {
              r = r.withData(r.data().deepCopy());
              current.set(j, r);
              owned.set(j);
            }
            inPlace.applyInPlace(r.data(), r);
          }
        } else {
          List<Record> next = new ArrayList<>(current.size());
          for (Record r : current) {
            next.addAll(step.apply(r));
          }
          current = next;
          owned.clear();
        }
      } catch (RoutingException e) {
        throw new RoutingException(
            "rule '" + rule.name() + "', transform " + (s + 1) + " (" + step + "): " + e.getMessage(), e);
      } catch (RuntimeException e) {
        throw new RoutingException(
            "rule '" + rule.name() + "', transform " + (s + 1) + " (" + step + ") failed: " + e, e);
      }
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
     * Takes one routed record.
     *
     * @param destination index of the destination (see {@link Router#destinations()})
     * @param record what to deliver
     * @param original the record as read when {@code record} was transformed, else null
     * @throws InterruptedException when the caller's thread is interrupted while handing the record
     *     on (e.g. waiting for queue space)
     */
    void accept(int destination, Record record, Record original) throws InterruptedException;
  }

  /**
   * The reusable buffer of one routing thread: the (destination, record) pairs of the record being
   * routed, held until every rule was evaluated. Reusing it keeps routing free of per-record
   * allocation in the common case (rules without transformations).
   *
   * <p>Not thread-safe: one per thread or run. A router is shared by concurrent runs, so the
   * buffer belongs to the caller, not to the router. It grows to the largest fan-out seen; after
   * {@link Router#route} returns it is empty, though it may still reference the last record's
   * results until the next call overwrites them.
   */
  public static final class Scratch {
    private int[] destinations = new int[4];
    private Record[] records = new Record[4];
    private Record[] originals = new Record[4];
    private int size;
    private int[] rules = new int[4];
    private int matchedRules;

    /** An empty buffer. */
    public Scratch() {}

    void add(int destination, Record record, Record original) {
      if (size == destinations.length) {
        int n = size * 2;
        destinations = Arrays.copyOf(destinations, n);
        records = Arrays.copyOf(records, n);
        originals = Arrays.copyOf(originals, n);
      }
      destinations[size] = destination;
      records[size] = record;
      originals[size] = original;
      size++;
    }

    void addRule(int rule) {
      if (matchedRules == rules.length) {
        rules = Arrays.copyOf(rules, matchedRules * 2);
      }
      rules[matchedRules++] = rule;
    }

    /**
     * Empties the buffer. The references stay until overwritten: nulling them cost a reference
     * store with its GC barrier per pair and record, a tenth of the router's time in a profile, and
     * what they keep alive is bounded by the widest fan-out of one record.
     */
    void clear() {
      size = 0;
      matchedRules = 0;
    }
  }
}
