package dev.sluice.destinations.prometheus;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.prometheus.internal.Settings;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;

/**
 * Provides the {@code prometheus} destination ({@link PrometheusDestination}). Registered through
 * {@code META-INF/services/dev.sluice.spi.DestinationProvider}.
 *
 * <p>Stateless and thread-safe; the constructor does no I/O. {@link #create} validates every
 * mapping against Prometheus' naming rules and fails with a {@link
 * dev.sluice.spi.PluginConfigException} naming the metric, the option and the rule.
 */
public final class PrometheusDestinationProvider implements DestinationProvider {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Override
  public String type() {
    return "prometheus";
  }

  @Override
  public String description() {
    return "Records become Prometheus gauges, counters, histograms and summaries: scrape endpoint and Pushgateway";
  }

  @Override
  public ObjectNode configSchema() {
    ObjectNode label = F.objectNode();
    ArrayNode oneOf = label.putArray("oneOf");
    oneOf.add(ConfigSchemas.string("JSONPath of the label value."));
    oneOf.add(ConfigSchemas.object()
        .required("path", ConfigSchemas.string("JSONPath of the label value."))
        .optional("default", ConfigSchemas.string("Value when the record has none (else the record is refused)."))
        .build());
    ObjectNode labels = F.objectNode().put("type", "object")
        .put("description", "Label name -> JSONPath (or {path, default}).");
    labels.set("additionalProperties", label);
    ObjectNode constLabels = F.objectNode().put("type", "object")
        .put("description", "Label name -> fixed value on every series of the metric.");
    constLabels.putObject("additionalProperties").put("type", "string");
    ObjectNode numbers = F.objectNode().put("type", "array");
    numbers.putObject("items").put("type", "number");
    ObjectNode metric = ConfigSchemas.object()
        .required("name", ConfigSchemas.string("Metric name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)."))
        .required("type", ConfigSchemas.enumOf("Kind of metric.", "gauge", "counter", "histogram", "summary"))
        .required("value", ConfigSchemas.string("JSONPath of the sample value (a number or a numeric string)."))
        .optional("help", ConfigSchemas.string("HELP text."))
        .optional("unit", ConfigSchemas.string("Unit; the name must end with _<unit>."))
        .optional("labels", labels)
        .optional("constLabels", constLabels)
        .optional("counterMode", ConfigSchemas.enumOf(
            "Counters: absolute (record holds the running total) or delta (record holds an increment).",
            "absolute", "delta"))
        .optional("onDecrease", ConfigSchemas.enumOf(
            "Absolute counters: what a total lower than the current value does.", "reject", "reset"))
        .optional("buckets", numbers.deepCopy().put("description", "Histograms: bucket upper bounds."))
        .optional("quantiles", numbers.deepCopy().put("description", "Summaries: quantiles between 0 and 1."))
        .build();
    ObjectNode metrics = F.objectNode().put("type", "array").put("minItems", 1)
        .put("description", "Mappings from records to metric samples.");
    metrics.set("items", metric);
    ObjectNode push = ConfigSchemas.object()
        .description("Push each pipeline's series to a Pushgateway (grouping key job + pipeline).")
        .required("url", ConfigSchemas.secret("Pushgateway base URL, e.g. http://127.0.0.1:9091."))
        .optional("job", ConfigSchemas.string("The job grouping label.", "sluice"))
        .optional("method", ConfigSchemas.enumOf("put replaces the pipeline's group; post replaces only the"
            + " metrics pushed.", "put", "post"))
        .optional("pushOn", ConfigSchemas.enumOf("When to push.", "run-end", "every-batch"))
        .optional("timeout", ConfigSchemas.duration("Connect and request timeout.", "10s"))
        .build();
    ObjectNode port = F.objectNode().put("type", "integer").put("minimum", 0).put("maximum", 65535)
        .put("description", "Own scrape port (0: any free port); without it no own server is started.");
    return ConfigSchemas.object()
        .required("metrics", metrics)
        .optional("host", ConfigSchemas.string("Address the own scrape server binds to.", "127.0.0.1"))
        .optional("port", port)
        .optional("maxSeriesPerMetric", ConfigSchemas.integer("Cardinality guard: series per metric.", 1000, 1))
        .optional("maxLabelValueLength", ConfigSchemas.integer("Label values are cut to this length.", 256, 1))
        .optional("staleAfterRuns", ConfigSchemas.integer(
            "Remove a series not written by this many successful runs of its pipeline (0: never).", 0, 0))
        .optional("staleAfter", ConfigSchemas.duration("Remove a series not written for this long.", null))
        .optional("pushgateway", push)
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    Settings settings = Settings.parse(config);
    return new PrometheusDestination(context.name(), settings, context.clock(), context.logger());
  }
}
