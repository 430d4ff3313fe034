package dev.sluice.cli;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * Help text for Sluice's own meters in the scrape endpoint, where the engine registered a meter
 * without a description: Prometheus' lint ({@code promtool check metrics}) wants {@code # HELP} on
 * every family, and a scraper's user wants to know what a number counts. A description the engine
 * gives wins. The texts summarise docs/user-guide/observability-metrics.md. Stateless, thread-safe.
 */
final class MeterDescriptions implements MeterFilter {
  static final Map<String, String> HELP = Map.ofEntries(
      Map.entry("sluice.records.read", "Records the connector emitted and the router took"),
      Map.entry("sluice.records.rejected", "Inputs the connector rejected (parked as source dead letters)"),
      Map.entry("sluice.records.unmatched", "Records no rule matched"),
      Map.entry("sluice.records.routing_errors", "Records a rule or transform failed on"),
      Map.entry("sluice.records.matched", "Records each rule matched"),
      Map.entry("sluice.records.delivered", "Records a destination acknowledged"),
      Map.entry("sluice.records.dead_lettered", "Records that failed for good at a destination (dead letters)"),
      Map.entry("sluice.records.retried", "Record re-sends, once per record per retry attempt"),
      Map.entry("sluice.records.undelivered", "Records left undelivered at the end of a run (read again next run)"),
      Map.entry("sluice.delivery.batch.size", "Records in each batch handed to a destination"),
      Map.entry("sluice.delivery.latency", "Time to settle one batch, retries and their waits included"),
      Map.entry("sluice.circuit.state", "A destination's circuit breaker: 0 closed, 1 half open, 2 open"),
      Map.entry("sluice.dispatcher.buffered", "Records waiting in a destination's dispatch buffer"),
      Map.entry("sluice.runs", "Duration of each finished run, by status"),
      Map.entry("sluice.runs.wait", "From the request of a run to its start on this node"),
      Map.entry("sluice.runs.active", "Runs of the pipeline in progress on this node"),
      Map.entry("sluice.queue.depth", "Items waiting in the read queue between the connector and the router"),
      Map.entry("sluice.store.commit", "One write of run state to the store"),
      Map.entry("sluice.triggers.fired", "Run requests, by trigger and outcome"),
      Map.entry("sluice.cron.lateness", "How long after its (jittered) time a cron firing started"),
      Map.entry("sluice.cron.misfires", "Cron times missed, by misfire policy"),
      Map.entry("sluice.webhooks.accepted", "Webhook requests that started or queued a run"),
      Map.entry("sluice.webhooks.rejected", "Refused webhook requests, by reason"));

  @Override
  public Meter.Id map(Meter.Id id) {
    if (id.getDescription() != null) {
      return id;
    }
    String help = HELP.get(id.getName());
    if (help == null && id.getName().startsWith("sluice.")) {
      help = "Sluice meter " + id.getName() + " (see docs/user-guide/observability-metrics.md)";
    }
    return help == null ? id : new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()),
        id.getBaseUnit(), help, id.getType());
  }
}
