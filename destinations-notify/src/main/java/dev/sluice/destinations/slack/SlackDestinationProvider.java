package dev.sluice.destinations.slack;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.notify.internal.Dedup;
import dev.sluice.destinations.notify.internal.Escaping;
import dev.sluice.destinations.notify.internal.NotifyTemplate;
import dev.sluice.destinations.notify.internal.Pacer;
import dev.sluice.destinations.notify.internal.Sleeper;
import dev.sluice.destinations.notify.internal.TemplateOptions;
import dev.sluice.record.FieldPath;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import dev.sluice.store.MissingStoreCapabilityException;
import dev.sluice.store.Store;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The {@code slack} destination (see {@link SlackDestination}).
 *
 * <p>Options: {@code token} (a bot token, starting {@code xoxb}, for the Web API's {@code
 * chat.postMessage}) or {@code webhookUrl} (an incoming webhook; the URL is a secret); {@code
 * baseUrl} (Web API root, default {@code https://slack.com/api/}); {@code channel} (default channel)
 * and {@code channelFrom} (a record field naming the channel, e.g. {@code $.owner.slackChannel});
 * {@code text} and/or {@code blocks} (Mustache templates: mrkdwn text, a Block Kit JSON array; or
 * {@code textFile}, {@code blocksFile} naming files that hold them);
 * {@code mode} ({@code record} or {@code digest}); {@code digestLimit} (records listed in a digest,
 * default 10); {@code maxTextLength} (default 40000, Slack's limit); {@code minInterval} (pacing per
 * channel, default 1s, Slack's documented posting rate); {@code connectTimeout}, {@code
 * requestTimeout}; {@code dedup} (default true) and {@code dedupRetention} (default 7d).
 *
 * <p>Stateless and thread-safe.
 */
public final class SlackDestinationProvider implements DestinationProvider {
  static final String DEFAULT_BASE_URL = "https://slack.com/api/";

  @Override
  public String type() {
    return "slack";
  }

  @Override
  public String description() {
    return "Posts messages from templates to Slack (chat.postMessage or an incoming webhook), per record or as"
        + " digests, without duplicates";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .optional("token", ConfigSchemas.secret("Bot token (starts with xoxb) for chat.postMessage. Give token or webhookUrl."))
        .optional("webhookUrl", ConfigSchemas.secret("Incoming webhook URL (a secret). Give token or webhookUrl."))
        .optional("baseUrl", ConfigSchemas.string("Root of the Web API, for proxies and tests.", DEFAULT_BASE_URL))
        .optional("channel", ConfigSchemas.string("Channel name (#sales) or ID (C0123…) to post to."))
        .optional("channelFrom", ConfigSchemas.string("Record field holding the channel, e.g. $.owner.channel;"
            + " records without it go to 'channel'."))
        .optional("text", ConfigSchemas.string("Mustache template of the message text (mrkdwn); record values are"
            + " escaped (& < >)."))
        .optional("blocks", ConfigSchemas.string("Mustache template rendering a JSON array of Block Kit blocks."))
        .optional("textFile", ConfigSchemas.string("File holding the 'text' template (instead of 'text')."))
        .optional("blocksFile", ConfigSchemas.string("File holding the 'blocks' template (instead of 'blocks')."))
        .optional("mode", ConfigSchemas.enumOf("One message per record, or one digest per batch and channel.",
            "record", "digest"))
        .optional("digestLimit", ConfigSchemas.integer("Records a digest lists; the rest are counted in 'more'.",
            10, 1))
        .optional("maxTextLength", ConfigSchemas.integer("Text longer than this is cut (Slack: 40000).", 40000, 100))
        .optional("minInterval", ConfigSchemas.duration("Least time between two posts to one channel.", "1s"))
        .optional("connectTimeout", ConfigSchemas.duration("Connection timeout.", "10s"))
        .optional("requestTimeout", ConfigSchemas.duration("Deadline of each request.", "30s"))
        .optional("dedup", ConfigSchemas.bool("Keep a sent-log in the store so a retry, replay or restart does not"
            + " post the same message twice.", true))
        .optional("dedupRetention", ConfigSchemas.duration("How long the sent-log remembers a message.", "7d"))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    return create(config, context, Sleeper.SYSTEM, null);
  }

  /** As {@link #create(PluginConfig, PluginContext)}, with the sleeper and HTTP client of a test. */
  static SlackDestination create(PluginConfig config, PluginContext context, Sleeper sleeper, HttpClient client) {
    String owner = config.owner();
    boolean hasToken = config.has("token");
    boolean hasWebhook = config.has("webhookUrl");
    if (hasToken == hasWebhook) {
      throw new PluginConfigException(owner + ": give exactly one of 'token' (chat.postMessage) and 'webhookUrl'"
          + " (incoming webhook)");
    }
    URI endpoint;
    String token = null;
    if (hasWebhook) {
      endpoint = httpUrl(owner, "webhookUrl", config.secret("webhookUrl"), true);
      for (String o : new String[] {"channel", "channelFrom", "baseUrl"}) {
        if (config.has(o)) {
          throw new PluginConfigException(owner + ": option '" + o + "' does not go with 'webhookUrl': an incoming"
              + " webhook posts to the channel it was created for");
        }
      }
    } else {
      token = config.secret("token");
      if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new PluginConfigException(owner + ": option 'token' must be a Slack token without spaces or"
            + " control characters (value hidden: it is a secret)");
      }
      String base = config.string("baseUrl", DEFAULT_BASE_URL);
      URI baseUri = httpUrl(owner, "baseUrl", base.endsWith("/") ? base : base + "/", false);
      endpoint = baseUri.resolve("chat.postMessage");
      if (!config.has("channel") && !config.has("channelFrom")) {
        throw new PluginConfigException(owner + ": give 'channel' or 'channelFrom' (or both): chat.postMessage"
            + " needs a channel");
      }
    }
    String channel = config.optionalString("channel").orElse(null);
    if (channel != null && !SlackDestination.isChannel(channel)) {
      throw config.invalid("channel", "a channel name (#sales) or ID (C0123456789)", config.node("channel")
          .orElseThrow());
    }
    FieldPath channelFrom = null;
    if (config.has("channelFrom")) {
      try {
        channelFrom = FieldPath.parseDotted(config.string("channelFrom"));
      } catch (IllegalArgumentException e) {
        throw new PluginConfigException(owner + ": option 'channelFrom': " + e.getMessage());
      }
    }
    NotifyTemplate text = TemplateOptions.compile(config, "text", Escaping.SLACK_MRKDWN);
    NotifyTemplate blocks = TemplateOptions.compile(config, "blocks", Escaping.SLACK_BLOCKS_JSON);
    if (text == null && blocks == null) {
      throw new PluginConfigException(owner + ": give a 'text' template, a 'blocks' template or both");
    }
    SlackDestination.Mode mode = config.enumValue("mode", SlackDestination.Mode.class, SlackDestination.Mode.RECORD);
    if (blocks != null) {
      checkBlocks(owner, blocks, mode, context.objectMapper());
    }
    int digestLimit = config.intValue("digestLimit", 10, 1, 1000);
    int maxText = config.intValue("maxTextLength", SlackDestination.MAX_TEXT, 100, SlackDestination.MAX_TEXT);
    Duration minInterval = config.duration("minInterval", Duration.ofSeconds(1));
    Duration connectTimeout = positive(config, "connectTimeout", Duration.ofSeconds(10));
    Duration requestTimeout = positive(config, "requestTimeout", Duration.ofSeconds(30));
    Dedup dedup = dedup(config, context, "the slack destination's de-duplication (dedup: true)");

    SlackDestination.Settings settings = new SlackDestination.Settings(context.name(), endpoint, hasWebhook, token,
        channel, channelFrom, text, blocks, mode, digestLimit, maxText,
        requestTimeout);
    HttpClient http = client != null ? client : HttpClient.newBuilder().connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
    return new SlackDestination(settings, http, context.objectMapper(), context.clock(), context.logger(), dedup,
        new Pacer(minInterval, context.clock(), sleeper));
  }

  /**
   * Renders {@code blocks} for an empty record (or an empty digest) and checks that the result is a
   * JSON array, so that a template that is not JSON stops start-up instead of failing every record.
   */
  private static void checkBlocks(String owner, NotifyTemplate blocks, SlackDestination.Mode mode,
      com.fasterxml.jackson.databind.ObjectMapper mapper) {
    dev.sluice.record.Batch sample = dev.sluice.record.Batch.of("pipeline", "destination", "run",
        java.util.List.of(dev.sluice.record.Record.of("sample", mapper.createObjectNode())));
    java.util.Map<String, Object> context = mode == SlackDestination.Mode.RECORD
        ? NotifyTemplate.recordContext(mapper, sample, 0, blocks.escaping())
        : NotifyTemplate.digestContext(mapper, sample, java.util.List.of(0), 10, blocks.escaping());
    com.fasterxml.jackson.databind.JsonNode parsed;
    try {
      parsed = mapper.readTree(blocks.render(context));
    } catch (NotifyTemplate.TemplateException e) {
      throw new PluginConfigException(e.getMessage());
    } catch (java.io.IOException e) {
      String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
          ? "line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() : "unknown position";
      throw new PluginConfigException(owner + ": option 'blocks' does not render to JSON for a record without"
          + " values (at " + where + " of the rendered text): keep every value inside a JSON string");
    }
    if (parsed == null || !parsed.isArray()) {
      throw new PluginConfigException(owner + ": option 'blocks' must render to a JSON array of Block Kit blocks");
    }
  }

  /** The sent-log guard the options ask for. */
  static Dedup dedup(PluginConfig config, PluginContext context, String neededFor) {
    if (!config.bool("dedup", true)) {
      return Dedup.off();
    }
    Duration retention = positive(config, "dedupRetention", Duration.ofDays(7));
    Store store = context.store();
    return Dedup.on(MissingStoreCapabilityException.require(store, Store::sentLog, "a sent-log", neededFor
        + "; or set dedup: false to accept duplicates"), context.name(), retention, context.clock());
  }

  private static Duration positive(PluginConfig config, String option, Duration defaultValue) {
    Duration d = config.duration(option, defaultValue);
    if (d.isZero()) {
      throw config.invalid(option, "a positive duration", config.node(option).orElseThrow());
    }
    return d;
  }

  private static URI httpUrl(String owner, String option, String value, boolean secret) {
    String hidden = secret ? " (value hidden: it is a secret)" : ", got '" + value + "'";
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new PluginConfigException(owner + ": option '" + option + "' is not a valid URL" + hidden);
    }
    if (uri.getScheme() == null || uri.getHost() == null
        || !(uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"))) {
      throw new PluginConfigException(owner + ": option '" + option + "' must be an absolute http or https URL"
          + hidden);
    }
    return uri;
  }
}
