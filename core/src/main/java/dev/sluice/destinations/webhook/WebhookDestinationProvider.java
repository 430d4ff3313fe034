package dev.sluice.destinations.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code webhook} destination: POSTs records as JSON to an HTTP endpoint (see {@link
 * WebhookDestination}).
 *
 * <p>Options: {@code url} (required, http or https; may carry a token, so it is shown by scheme,
 * host and port only), {@code mode} ({@code batch}: one request per batch with a JSON array, the
 * default; {@code record}: one request per record), {@code envelope} (wrap each record's data with
 * key, idempotency key and metadata; default true), {@code headers} (extra headers, e.g. {@code
 * Authorization: ${secret:hook_token}}), {@code signingSecret} (sign requests), {@code
 * signatureScheme} ({@code hmac-sha256}: {@code sha256=<hex>} of the body in {@code
 * signatureHeader}, the default; {@code standard}: Standard Webhooks with id and timestamp, secret
 * {@code whsec_<base64>}), {@code signatureHeader} (default {@code X-Sluice-Signature}), {@code
 * connectTimeout} (default 10s), {@code requestTimeout} (the whole exchange, default 30s), {@code
 * allowedTargets} (hosts and CIDR blocks the SSRF guard lets through although internal, e.g.
 * {@code [127.0.0.1]}).
 */
public final class WebhookDestinationProvider implements DestinationProvider {
  static final String DEFAULT_SIGNATURE_HEADER = "X-Sluice-Signature";

  @Override
  public String type() {
    return "webhook";
  }

  @Override
  public String description() {
    return "POSTs records as JSON to an HTTP endpoint, with an Idempotency-Key and an optional HMAC signature";
  }

  @Override
  public ObjectNode configSchema() {
    ObjectNode headers = ConfigSchemas.object().build()
        .put("description", "Extra request headers (values are never logged).");
    headers.putObject("additionalProperties").put("type", "string");
    return ConfigSchemas.object()
        .required("url", ConfigSchemas.secret("Where to POST (http or https)."))
        .optional("mode", ConfigSchemas.enumOf("One request per batch (a JSON array) or per record.", "batch", "record"))
        .optional("envelope", ConfigSchemas.bool(
            "Send {key, idempotencyKey, source, observedAt, attributes, data} instead of the bare data.", true))
        .optional("headers", headers)
        .optional("signingSecret", ConfigSchemas.secret(
            "Signs each request (hmac-sha256: any text; standard: whsec_<base64>)."))
        .optional("signatureScheme", ConfigSchemas.enumOf("How requests are signed: hmac-sha256 (sha256=<hex> of the"
            + " body in signatureHeader) or standard (Standard Webhooks: webhook-id, webhook-timestamp,"
            + " webhook-signature). Default hmac-sha256.", "hmac-sha256", "standard"))
        .optional("signatureHeader", ConfigSchemas.string("hmac-sha256: header carrying sha256=<hex signature>.",
            DEFAULT_SIGNATURE_HEADER))
        .optional("connectTimeout", ConfigSchemas.duration("Connection timeout.", "10s"))
        .optional("requestTimeout", ConfigSchemas.duration(
            "Deadline of each request: connecting, sending, the answer and its body.", "30s"))
        .optional("allowedTargets", ConfigSchemas.stringList("Hosts, IP addresses or CIDR blocks that may be internal"
            + " (loopback, private, link-local), which the SSRF guard refuses otherwise, e.g. [127.0.0.1, 10.1.0.0/16]."))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    URI url;
    try {
      url = new URI(config.secret("url"));
    } catch (URISyntaxException e) {
      throw new PluginConfigException(config.owner() + ": option 'url' is not a valid URL (value hidden: it may hold a token)");
    }
    if (url.getScheme() == null || url.getHost() == null
        || !(url.getScheme().equalsIgnoreCase("http") || url.getScheme().equalsIgnoreCase("https"))) {
      throw new PluginConfigException(config.owner() + ": option 'url' must be an absolute http or https URL"
          + " (value hidden: it may hold a token)");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode h = config.node("headers").orElse(null);
    if (h != null) {
      if (!h.isObject()) {
        throw new PluginConfigException(config.owner() + ": option 'headers' must be an object of header names to values");
      }
      for (Map.Entry<String, JsonNode> e : h.properties()) {
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw new PluginConfigException(config.owner() + ": header '" + e.getKey() + "' must have a string value");
        }
        headers.put(e.getKey(), e.getValue().asText());
      }
    }
    String secret = config.has("signingSecret") ? config.secret("signingSecret") : null;
    WebhookDestination.Signing signing = config.enumValue("signatureScheme", WebhookDestination.Signing.class,
        WebhookDestination.Signing.HMAC_SHA256);
    if (secret == null && config.has("signatureScheme")) {
      throw new PluginConfigException(config.owner() + ": option 'signatureScheme' needs a 'signingSecret'");
    }
    try {
      return WebhookDestination.builder(context.name(), url)
          .mode(config.enumValue("mode", WebhookDestination.Mode.class, WebhookDestination.Mode.BATCH))
          .envelope(config.bool("envelope", true))
          .headers(headers)
          .signing(secret == null ? WebhookDestination.Signing.NONE : signing, secret)
          .signatureHeader(config.string("signatureHeader", DEFAULT_SIGNATURE_HEADER))
          .connectTimeout(nonZero(config, "connectTimeout", Duration.ofSeconds(10)))
          .requestTimeout(nonZero(config, "requestTimeout", Duration.ofSeconds(30)))
          .allowedTargets(config.stringList("allowedTargets"))
          .mapper(context.objectMapper())
          .clock(context.clock())
          .build();
    } catch (IllegalArgumentException e) {
      // e.g. a header name HttpClient refuses; the message names the header, not its value
      throw new PluginConfigException(config.owner() + ": " + e.getMessage());
    }
  }

  private static Duration nonZero(PluginConfig config, String option, Duration defaultValue) {
    Duration d = config.duration(option, defaultValue);
    if (d.isZero()) {
      throw config.invalid(option, "a positive duration", config.node(option).orElseThrow());
    }
    return d;
  }
}
