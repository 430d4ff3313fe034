package dev.sluice.destinations.prometheus.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.destinations.prometheus.internal.LabelValues.Refusal;
import dev.sluice.destinations.prometheus.internal.MetricSpec.CounterMode;
import dev.sluice.destinations.prometheus.internal.MetricSpec.LabelSpec;
import dev.sluice.destinations.prometheus.internal.MetricSpec.OnDecrease;
import dev.sluice.destinations.prometheus.internal.MetricSpec.Type;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.StatefulMetric;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The series of every mapped metric: applies records, guards cardinality, removes stale series,
 * and produces snapshots for the exposition and the Pushgateway.
 *
 * <p>Thread-safety: every method is safe to call concurrently; state changes happen under one
 * lock, so a scrape never sees half a record applied.
 */
public final class SeriesStore implements MultiCollector {
  private static final int MAX_TRACKED_RUNS = 64;

  private final Settings settings;
  private final Clock clock;
  private final Object lock = new Object();
  private final List<MetricState> metrics = new ArrayList<>();
  private final boolean hasDeltaCounters;
  /** Per pipeline: successful runs finished so far. */
  private final Map<String, Long> completedRuns = new HashMap<>();
  /** Per run: idempotency keys whose deltas were applied, so a retried batch does not count twice. */
  private final Map<String, Set<String>> appliedDeltas = new LinkedHashMap<>();

  public SeriesStore(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    boolean delta = false;
    for (MetricSpec spec : settings.metrics()) {
      metrics.add(new MetricState(spec));
      delta |= spec.type() == Type.COUNTER && spec.counterMode() == CounterMode.DELTA;
    }
    this.hasDeltaCounters = delta;
  }

  /** One series: a metric's label values and what belongs to them. */
  private static final class Series {
    final List<String> values;
    double value;
    long createdMillis;
    String pipeline;
    long writtenInRun;
    Instant lastWrite;

    Series(List<String> values) {
      this.values = values;
    }
  }

  private static final class MetricState {
    final MetricSpec spec;
    final Map<List<String>, Series> series = new HashMap<>();
    final StatefulMetric<?, ?> distribution; // histogram or summary; null for gauges and counters
    final Labels constLabels;
    final MetricMetadata metadata;
    final String[] labelNames;

    MetricState(MetricSpec spec) {
      this.spec = spec;
      this.labelNames = spec.labelNames().toArray(new String[0]);
      Labels c = Labels.EMPTY;
      for (Map.Entry<String, String> e : spec.constLabels().entrySet()) {
        c = c.add(e.getKey(), e.getValue());
      }
      this.constLabels = c;
      Unit unit = spec.unit() == null ? null : new Unit(spec.unit());
      this.metadata = new MetricMetadata(spec.name(), spec.help(), unit);
      if (spec.type() == Type.HISTOGRAM) {
        Histogram.Builder b = Histogram.builder().name(spec.name()).help(spec.help())
            .classicUpperBounds(spec.buckets()).classicOnly().constLabels(constLabels);
        if (unit != null) {
          b.unit(unit);
        }
        if (labelNames.length > 0) {
          b.labelNames(labelNames);
        }
        distribution = b.build();
      } else if (spec.type() == Type.SUMMARY) {
        Summary.Builder b = Summary.builder().name(spec.name()).help(spec.help()).constLabels(constLabels);
        for (double q : spec.quantiles()) {
          b.quantile(q);
        }
        if (unit != null) {
          b.unit(unit);
        }
        if (labelNames.length > 0) {
          b.labelNames(labelNames);
        }
        distribution = b.build();
      } else {
        distribution = null;
      }
    }

    void observe(List<String> values, double v) {
      if (distribution instanceof Histogram h) {
        if (labelNames.length == 0) {
          h.observe(v);
        } else {
          h.labelValues(values.toArray(new String[0])).observe(v);
        }
      } else if (distribution instanceof Summary s) {
        if (labelNames.length == 0) {
          s.observe(v);
        } else {
          s.labelValues(values.toArray(new String[0])).observe(v);
        }
      }
    }

    void remove(Series s) {
      series.remove(s.values);
      if (distribution != null) {
        if (labelNames.length == 0) {
          distribution.clear();
        } else {
          distribution.remove(s.values.toArray(new String[0]));
        }
      }
    }

    Labels labels(List<String> values) {
      return Labels.of(labelNames, values.toArray(new String[0])).merge(constLabels);
    }

    /** This metric's snapshot with the series {@code include} accepts, or null when there are none. */
    MetricSnapshot snapshot(Predicate<Series> include) {
      List<Series> chosen = series.values().stream().filter(include).toList();
      if (chosen.isEmpty()) {
        return null;
      }
      switch (spec.type()) {
        case GAUGE: {
          List<GaugeDataPointSnapshot> points = new ArrayList<>();
          for (Series s : chosen) {
            points.add(GaugeDataPointSnapshot.builder().labels(labels(s.values)).value(s.value).build());
          }
          return new GaugeSnapshot(metadata, points);
        }
        case COUNTER: {
          List<CounterDataPointSnapshot> points = new ArrayList<>();
          for (Series s : chosen) {
            points.add(CounterDataPointSnapshot.builder().labels(labels(s.values)).value(s.value)
                .createdTimestampMillis(s.createdMillis).build());
          }
          return new CounterSnapshot(metadata, points);
        }
        default: {
          Set<List<String>> keep = new HashSet<>();
          chosen.forEach(s -> keep.add(s.values));
          MetricSnapshot all = distribution.collect();
          if (all instanceof HistogramSnapshot h) {
            List<HistogramDataPointSnapshot> points = new ArrayList<>();
            for (HistogramDataPointSnapshot p : h.getDataPoints()) {
              if (keep.contains(valuesOf(p))) {
                points.add(p);
              }
            }
            return points.isEmpty() ? null : new HistogramSnapshot(h.getMetadata(), points);
          }
          SummarySnapshot sum = (SummarySnapshot) all;
          List<SummaryDataPointSnapshot> points = new ArrayList<>();
          for (SummaryDataPointSnapshot p : sum.getDataPoints()) {
            if (keep.contains(valuesOf(p))) {
              points.add(p);
            }
          }
          return points.isEmpty() ? null : new SummarySnapshot(sum.getMetadata(), points);
        }
      }
    }

    private List<String> valuesOf(DataPointSnapshot p) {
      List<String> out = new ArrayList<>(labelNames.length);
      for (String n : labelNames) {
        String v = p.getLabels().get(n);
        out.add(v == null ? "" : v);
      }
      return out;
    }
  }

  /** A checked update of one metric, applied once every metric of the record was checked. */
  private record Pending(MetricState state, List<String> values, double value, Series existing) {}

  /**
   * Applies a batch: each record updates every mapped metric, or (when one mapping can't use it)
   * none, and is then reported as a permanent failure with the reason.
   */
  public DeliveryResult apply(Batch batch) {
    Map<Integer, RecordFailure> failures = new HashMap<>();
    synchronized (lock) {
      Instant now = clock.instant();
      long runBase = completedRuns.getOrDefault(batch.pipeline(), 0L);
      Set<String> applied = null;
      if (hasDeltaCounters) {
        applied = appliedDeltas.computeIfAbsent(batch.runId(), k -> new HashSet<>());
        while (appliedDeltas.size() > MAX_TRACKED_RUNS) {
          Iterator<String> oldest = appliedDeltas.keySet().iterator();
          oldest.next();
          oldest.remove();
        }
      }
      for (int i = 0; i < batch.size(); i++) {
        Record record = batch.get(i);
        List<Pending> pending = new ArrayList<>(metrics.size());
        try {
          for (MetricState state : metrics) {
            pending.add(check(state, record));
          }
        } catch (Refusal r) {
          failures.put(i, RecordFailure.permanent(r.getMessage()));
          continue;
        }
        String key = applied == null ? null : batch.idempotencyKey(i);
        boolean deltasDone = applied != null && batch.attempt() > 1 && applied.contains(key);
        for (Pending p : pending) {
          write(p, batch.pipeline(), runBase, now, deltasDone);
        }
        if (applied != null) {
          applied.add(key);
        }
      }
    }
    return DeliveryResult.partial(failures);
  }

  private Pending check(MetricState state, Record record) throws Refusal {
    MetricSpec spec = state.spec;
    String prefix = "metric '" + spec.name() + "': ";
    JsonNode data = record.data();
    double value;
    List<String> values = new ArrayList<>(spec.labels().size());
    try {
      value = LabelValues.value(spec.valuePath().find(data), "the value at " + spec.valueText());
      for (LabelSpec l : spec.labels()) {
        values.add(LabelValues.label(l.path().find(data), l.defaultValue(), settings.maxLabelValueLength(),
            "label '" + l.name() + "' (" + l.pathText() + ")"));
      }
    } catch (Refusal r) {
      throw new Refusal(prefix + r.getMessage());
    }
    Series existing = state.series.get(values);
    if (existing == null && state.series.size() >= settings.maxSeriesPerMetric()) {
      throw new Refusal(prefix + "cardinality guard: the metric has reached maxSeriesPerMetric ("
          + settings.maxSeriesPerMetric() + " series), so the new series " + state.labels(values)
          + " was refused; raise maxSeriesPerMetric or map fewer distinct label values");
    }
    if (spec.type() == Type.COUNTER) {
      if (spec.counterMode() == CounterMode.DELTA && value < 0) {
        throw new Refusal(prefix + "a delta counter only goes up, but the increment at " + spec.valueText()
            + " is negative (" + value + ")");
      }
      if (spec.counterMode() == CounterMode.ABSOLUTE && existing != null && value < existing.value
          && spec.onDecrease() == OnDecrease.REJECT) {
        throw new Refusal(prefix + "a counter never decreases, but the total at " + spec.valueText()
            + " went from " + existing.value + " to " + value + " for " + state.labels(values)
            + " (set onDecrease: reset if the source restarts its count)");
      }
    }
    if (spec.type() == Type.HISTOGRAM || spec.type() == Type.SUMMARY) {
      if (value < 0) {
        // Negative observations make _sum non-monotonic, which OpenMetrics forbids for these types.
        throw new Refusal(prefix + "a " + spec.type().name().toLowerCase(java.util.Locale.ROOT)
            + " observes values >= 0 only, got " + value + " at " + spec.valueText());
      }
    }
    return new Pending(state, List.copyOf(values), value, existing);
  }

  private void write(Pending p, String pipeline, long runBase, Instant now, boolean deltasDone) {
    MetricState state = p.state();
    Series s = p.existing();
    if (s == null) {
      s = new Series(p.values());
      s.createdMillis = now.toEpochMilli();
      state.series.put(p.values(), s);
    }
    s.pipeline = pipeline;
    s.writtenInRun = runBase;
    s.lastWrite = now;
    MetricSpec spec = state.spec;
    switch (spec.type()) {
      case GAUGE -> s.value = p.value();
      case COUNTER -> {
        if (spec.counterMode() == CounterMode.DELTA) {
          if (!deltasDone) {
            s.value += p.value();
          }
        } else {
          if (p.value() < s.value) { // onDecrease: reset (reject was refused in check)
            s.createdMillis = now.toEpochMilli();
          }
          s.value = p.value();
        }
      }
      default -> state.observe(p.values(), p.value());
    }
  }

  /**
   * Ends a run of {@code pipeline}: a successful run counts towards {@code staleAfterRuns}, and
   * stale series are removed.
   *
   * @return how many series were removed
   */
  public int finishRun(String pipeline, String runId, boolean succeeded) {
    synchronized (lock) {
      appliedDeltas.remove(runId);
      int removed = 0;
      if (succeeded) {
        long completed = completedRuns.merge(pipeline, 1L, Long::sum);
        int n = settings.staleAfterRuns();
        if (n > 0) {
          removed += removeIf(s -> s.pipeline.equals(pipeline) && completed - s.writtenInRun > n);
        }
      }
      return removed + removeExpired();
    }
  }

  /** Removes series older than {@code staleAfter}; returns how many. */
  public int removeExpired() {
    if (settings.staleAfter() == null) {
      return 0;
    }
    synchronized (lock) {
      Instant cutoff = clock.instant().minus(settings.staleAfter());
      return removeIf(s -> !s.lastWrite.isAfter(cutoff));
    }
  }

  private int removeIf(Predicate<Series> stale) {
    int removed = 0;
    for (MetricState state : metrics) {
      for (Series s : new ArrayList<>(state.series.values())) {
        if (stale.test(s)) {
          state.remove(s);
          removed++;
        }
      }
    }
    return removed;
  }

  /** The current series of every metric (after removing expired ones), for a scrape. */
  @Override
  public MetricSnapshots collect() {
    synchronized (lock) {
      removeExpired();
      return snapshot(s -> true);
    }
  }

  /** The series last written by runs of {@code pipeline}, for its Pushgateway group. */
  public MetricSnapshots collect(String pipeline) {
    synchronized (lock) {
      removeExpired();
      return snapshot(s -> s.pipeline.equals(pipeline));
    }
  }

  private MetricSnapshots snapshot(Predicate<Series> include) {
    List<MetricSnapshot> out = new ArrayList<>();
    for (MetricState state : metrics) {
      MetricSnapshot snap = state.snapshot(include);
      if (snap != null) {
        out.add(snap);
      }
    }
    return new MetricSnapshots(out);
  }

  /** How many series {@code metric} has now. */
  public int seriesCount(String metric) {
    synchronized (lock) {
      for (MetricState state : metrics) {
        if (state.spec.name().equals(metric)) {
          return state.series.size();
        }
      }
      throw new IllegalArgumentException("no metric named '" + metric + "'");
    }
  }
}
