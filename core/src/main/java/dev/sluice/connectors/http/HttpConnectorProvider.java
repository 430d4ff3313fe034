package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.delivery.Sleeper;
import dev.sluice.record.FieldPath;
import dev.sluice.routing.JsonPathExpression;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Connector;
import dev.sluice.spi.ConnectorProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * The {@code http} connector: declarative REST API sources. Every option is described in its
 * {@link #configSchema()} and in docs/user-guide/connectors.md.
 *
 * <p>Request signers ({@code signer: {type: ...}}) are found with {@link ServiceLoader} (see {@link
 * RequestSignerProvider}).
 */
public final class HttpConnectorProvider implements ConnectorProvider {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final long DEFAULT_MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

  @Override
  public String type() {
    return "http";
  }

  @Override
  public String description() {
    return "reads a REST API: templated requests, auth (basic, bearer, API key, OAuth 2.0, signers), pagination,"
        + " incremental sync, partitions, rate limits";
  }

  // --- schema ----------------------------------------------------------------------------------

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("A REST API source.")
        .required("baseUrl", ConfigSchemas.string("The API's base URL, e.g. https://api.example.com/v2 (http or https)."))
        .optional("path", ConfigSchemas.string("Path below baseUrl (template), e.g. /orders or /projects/{partition}/issues.", ""))
        .optional("method", ConfigSchemas.enumOf("HTTP method. Default GET.", "GET", "POST"))
        .optional("headers", stringMap("Request headers (values are templates)."))
        .optional("query", queryMap())
        .optional("body", F.objectNode().put("description", "JSON body for POST (string values are templates; a"
            + " value that is one expression keeps its type, and is left out when it has no value)."))
        .optional("auth", authSchema())
        .optional("signer", F.objectNode().put("type", "object")
            .put("description", "A request signer plugin (RequestSignerProvider): type plus its own options.")
            .<ObjectNode>set("required", F.arrayNode().add("type"))
            .set("properties", F.objectNode().set("type", ConfigSchemas.string("The signer's type."))))
        .optional("records", recordsSchema())
        .optional("pagination", paginationSchema())
        .optional("incremental", incrementalSchema())
        .optional("partitions", partitionsSchema())
        .optional("maxRequestsPerSecond", ConfigSchemas.number("At most this many requests per second (all reads of"
            + " this source together). Default: no limit."))
        .optional("retry", ConfigSchemas.object()
            .description("Retries of failed requests (I/O errors and statuses whose action is retry).")
            .optional("maxRetries", ConfigSchemas.integer("Retries per request.", 5, 0))
            .optional("initialBackoff", ConfigSchemas.duration("First wait (doubling, with jitter).", "1s"))
            .optional("maxBackoff", ConfigSchemas.duration("Longest wait between attempts.", "60s"))
            .optional("maxRetryAfter", ConfigSchemas.duration("Longest Retry-After honoured; a longer one fails the request.", "5m"))
            .build())
        .optional("onStatus", onStatusSchema())
        .optional("connectTimeout", ConfigSchemas.duration("Timeout to connect.", "10s"))
        .optional("requestTimeout", ConfigSchemas.duration("Timeout of one request until the response headers arrive.", "60s"))
        .optional("httpVersion", ConfigSchemas.enumOf("auto (HTTP/2 where the server offers it, else HTTP/1.1), http1.1 or http2.", "auto", "http1.1", "http2"))
        .optional("proxy", ConfigSchemas.object()
            .description("An HTTP proxy for every request.")
            .required("host", ConfigSchemas.string("Proxy host."))
            .required("port", ConfigSchemas.integer("Proxy port.", 3128, 1))
            .build())
        .optional("timeZone", ConfigSchemas.string("Zone of {now} arithmetic, date formats and date partitions.", "UTC"))
        .optional("maxResponseBytes", ConfigSchemas.integer("Largest response body read; larger fails the request.", DEFAULT_MAX_RESPONSE_BYTES, 1024))
        .optional("secretQueryParameters", ConfigSchemas.stringList("More query parameters whose values are masked in"
            + " logs and errors (api_key, token, access_token, key, signature and similar are masked anyway)."))
        .build();
  }

  private static ObjectNode stringMap(String description) {
    ObjectNode n = F.objectNode().put("type", "object").put("description", description);
    n.putObject("additionalProperties").put("type", "string");
    return n;
  }

  private static ObjectNode queryMap() {
    ObjectNode n = F.objectNode().put("type", "object")
        .put("description", "Query parameters (values are templates; a list repeats the parameter; a value that is one"
            + " expression without value is left out).");
    ObjectNode scalar = F.objectNode();
    scalar.putArray("type").add("string").add("number").add("boolean");
    ObjectNode list = F.objectNode().put("type", "array");
    list.set("items", scalar.deepCopy());
    n.putObject("additionalProperties").putArray("oneOf").add(scalar).add(list);
    return n;
  }

  private static ObjectNode authSchema() {
    return ConfigSchemas.object()
        .description("Authentication. Values of username, password, token and value are templates ({secret:NAME} reads"
            + " the secret store at run time).")
        .required("type", ConfigSchemas.enumOf("none, basic, bearer, api-key or oauth2.", "none", "basic", "bearer", "api-key", "oauth2"))
        .optional("username", ConfigSchemas.string("basic: user name."))
        .optional("password", ConfigSchemas.secret("basic: password."))
        .optional("token", ConfigSchemas.secret("bearer: the token."))
        .optional("name", ConfigSchemas.string("api-key: header or query parameter name, e.g. X-Api-Key or api_key."))
        .optional("value", ConfigSchemas.secret("api-key: the key."))
        .optional("in", ConfigSchemas.enumOf("api-key: where the key goes. Default header.", "header", "query"))
        .optional("tokenUrl", ConfigSchemas.string("oauth2: the token endpoint."))
        .optional("grant", ConfigSchemas.enumOf("oauth2: client-credentials or refresh-token.", "client-credentials", "refresh-token"))
        .optional("clientId", ConfigSchemas.string("oauth2: client id."))
        .optional("clientSecret", ConfigSchemas.secret("oauth2: client secret."))
        .optional("clientAuthentication", ConfigSchemas.enumOf("oauth2: basic (Authorization header, default) or body (form parameters).", "basic", "body"))
        .optional("refreshTokenSecret", ConfigSchemas.string("oauth2 refresh-token: name of the stored secret holding the"
            + " refresh token; a rotated one is written back at once."))
        .optional("scopes", ConfigSchemas.stringList("oauth2: scopes to ask for."))
        .optional("parameters", stringMap("oauth2: extra form parameters of the token request, e.g. audience."))
        .optional("expiryMargin", ConfigSchemas.duration("oauth2: renew a token this long before it expires.", "60s"))
        .build();
  }

  private static ObjectNode recordsSchema() {
    return ConfigSchemas.object()
        .description("Where the records are in a response and how they are keyed.")
        .optional("path", ConfigSchemas.string("JSONPath to the records, e.g. $.data or $.results[*]. Default: the"
            + " body (an array: its elements; an object: one record)."))
        .optional("format", ConfigSchemas.enumOf("auto (by Content-Type), json, jsonl or csv.", "auto", "json", "jsonl", "csv"))
        .optional("delimiter", ConfigSchemas.string("CSV cell separator.", ","))
        .optional("key", ConfigSchemas.string("Field holding the record key, e.g. id or $.meta.id."))
        .optional("keyTemplate", ConfigSchemas.string("Template making the key, e.g. {partition}-{record.id}."))
        .optional("fields", ConfigSchemas.stringList("Keep only these fields (dotted paths); default all."))
        .build();
  }

  private static ObjectNode paginationSchema() {
    return paginationBuilder().build();
  }

  private static ConfigSchemas.ObjectBuilder paginationBuilder() {
    return ConfigSchemas.object()
        .description("How pages follow each other.")
        .required("type", ConfigSchemas.enumOf("none, page, offset, cursor, next-url or link.", "none", "page", "offset", "cursor", "next-url", "link"))
        .optional("param", ConfigSchemas.string("page/offset/cursor: the query parameter carrying the page number, offset"
            + " or cursor (default page, offset, cursor; not added when a template uses {page.number}, {page.offset} or {page.cursor})."))
        .optional("start", ConfigSchemas.integer("page: first page number; offset: first offset.", 1, 0))
        .optional("sizeParam", ConfigSchemas.string("page/cursor: query parameter carrying the page size."))
        .optional("size", ConfigSchemas.integer("page/cursor: page size (also what makes a page short).", 100, 1))
        .optional("limitParam", ConfigSchemas.string("offset: query parameter carrying the limit.", "limit"))
        .optional("limit", ConfigSchemas.integer("offset: records per page.", 100, 1))
        .optional("cursor", ConfigSchemas.string("cursor: JSONPath to the next cursor in the body, e.g. $.meta.next_cursor."))
        .optional("next", ConfigSchemas.string("next-url: JSONPath to the next page's URL in the body, e.g. $.links.next."))
        .optional("rel", ConfigSchemas.string("link: the relation to follow.", "next"))
        .optional("hasMore", ConfigSchemas.string("JSONPath to a boolean; false stops, e.g. $.has_more."))
        .optional("maxPages", ConfigSchemas.integer("Stop after this many pages per stream (0: no limit).", 0, 0))
        .optional("stopOnEmptyPage", ConfigSchemas.bool("Stop at a page without records.", true))
        .optional("stopOnShortPage", ConfigSchemas.bool("page/offset: stop at a page with fewer records than size/limit.", true))
        .optional("allowOtherHosts", ConfigSchemas.bool("next-url/link and redirects: follow URLs on another"
            + " scheme, host or port (they get the same credentials).", false));
  }

  private static ObjectNode incrementalSchema() {
    return ConfigSchemas.object()
        .description("Incremental sync by a cursor field; without it every run reads everything (full refresh).")
        .required("field", ConfigSchemas.string("The records' cursor field, e.g. updated_at or $.meta.version."))
        .optional("type", ConfigSchemas.enumOf("timestamp (default) or number.", "timestamp", "number"))
        .optional("param", ConfigSchemas.string("Query parameter carrying the value to read from (or use {cursor} in a template)."))
        .optional("format", ConfigSchemas.string("timestamp: iso, epoch, epoch-millis or a date pattern such as"
            + " yyyy-MM-dd'T'HH:mm:ss; how the API writes it.", "iso"))
        .optional("start", ConfigSchemas.string("Where the first read starts (template), e.g. 2024-01-01T00:00:00Z or {now-30d}."))
        .optional("lookback", ConfigSchemas.duration("timestamp: read this much before the checkpoint again (late writes;"
            + " duplicates are harmless through the record key).", "0s"))
        .optional("sorted", ConfigSchemas.bool("The API returns records in ascending cursor order: checkpoint after every"
            + " page. false: only after a whole stream.", true))
        .build();
  }

  private static ObjectNode partitionsSchema() {
    ObjectNode values = F.objectNode().put("type", "array").put("description", "list: the partition values.");
    ObjectNode item = values.putObject("items");
    item.putArray("type").add("string").add("number").add("boolean");
    ObjectNode request = ConfigSchemas.object()
        .description("request: the parent request listing the partitions.")
        .optional("path", ConfigSchemas.string("Path below baseUrl (template).", ""))
        .optional("method", ConfigSchemas.enumOf("HTTP method. Default GET.", "GET", "POST"))
        .optional("headers", stringMap("Request headers (templates)."))
        .optional("query", queryMap())
        .optional("body", F.objectNode().put("description", "JSON body for POST."))
        .optional("records", ConfigSchemas.object()
            .optional("path", ConfigSchemas.string("JSONPath to the parent records."))
            .optional("format", ConfigSchemas.enumOf("auto, json, jsonl or csv.", "auto", "json", "jsonl", "csv"))
            .optional("delimiter", ConfigSchemas.string("CSV cell separator.", ","))
            .build())
        .optional("pagination", paginationSchema())
        .build();
    return ConfigSchemas.object()
        .description("One stream per partition, each with its own place in the checkpoint.")
        .required("type", ConfigSchemas.enumOf("list, request or dates.", "list", "request", "dates"))
        .optional("values", values)
        .optional("request", request)
        .optional("value", ConfigSchemas.string("request: field of each parent record that is the partition ({partition});"
            + " the whole record is {partition.FIELD}."))
        .optional("start", ConfigSchemas.string("dates: first day or instant (template), e.g. 2024-01-01 or {now-90d/d}."))
        .optional("end", ConfigSchemas.string("dates: end, exclusive (template). Default now."))
        .optional("step", ConfigSchemas.string("dates: slice length, e.g. 1d, 12h, 1w, 1M, P1M.", "1d"))
        .optional("format", ConfigSchemas.string("dates: how {partition.start}, {partition.end} and"
            + " {partition.endInclusive} are written: date, iso or a pattern.", "date"))
        .optional("lookback", ConfigSchemas.duration("dates: read this much before the last complete slice again.", "0s"))
        .build();
  }

  private static ObjectNode onStatusSchema() {
    ObjectNode n = F.objectNode().put("type", "object")
        .put("description", "Action per status (404) or class (4xx): retry, fail or ignore (no records; the stream"
            + " ends). Defaults: 408, 429, 500, 502, 503, 504 retry; others fail.");
    n.putObject("propertyNames").put("pattern", "^([3-5]\\d\\d|[3-5]xx)$");
    n.set("additionalProperties", ConfigSchemas.enumOf("retry, fail or ignore.", "retry", "fail", "ignore"));
    return n;
  }

  // --- creation --------------------------------------------------------------------------------

  @Override
  public Connector create(PluginConfig config, PluginContext context) {
    return create(config, context, Sleeper.SYSTEM, new Random());
  }

  /** With an injected sleeper and randomness (tests). */
  Connector create(PluginConfig config, PluginContext context, Sleeper sleeper, RandomGenerator random) {
    try {
      return new HttpConnector(settings(config, context), context.objectMapper(), context.clock(), sleeper, random,
          context.secrets());
    } catch (PluginConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + e.getMessage(), e);
    }
  }

  HttpConnector.Settings settings(PluginConfig config, PluginContext context) {
    URI baseUrl = httpUrl(config, "baseUrl", config.string("baseUrl"));
    ZoneId zone;
    try {
      zone = ZoneId.of(config.string("timeZone", "UTC"));
    } catch (DateTimeException e) {
      throw config.invalid("timeZone", "a time zone such as UTC or Europe/Berlin", config.node("timeZone").orElseThrow());
    }
    RequestSpec request = request(config, "", baseUrl);
    PluginConfig records = nested(config, "records");
    FieldPath keyField = records.optionalString("key").map(k -> fieldPath(records, "key", k)).orElse(null);
    Template keyTemplate = records.optionalString("keyTemplate").map(t -> template(records, "keyTemplate", t,
        Set.of("record", "partition", "params"))).orElse(null);
    if (keyField != null && keyTemplate != null) {
      throw new PluginConfigException(records.owner() + ": give either 'key' or 'keyTemplate', not both");
    }
    List<FieldPath> fields = new ArrayList<>();
    for (String f : records.stringList("fields")) {
      fields.add(fieldPath(records, "fields", f));
    }
    Pagination pagination = pagination(nested(config, "pagination"), request);
    Incremental incremental = config.has("incremental") ? incremental(nested(config, "incremental"), request, zone) : null;
    Partitions partitions = config.has("partitions") ? partitions(nested(config, "partitions"), baseUrl, zone, context) : null;
    if (partitions != null && partitions.type == Partitions.Type.DATES && incremental != null) {
      throw new PluginConfigException(config.owner() + ": date partitions are the incremental position already"
          + " (datesDoneUntil); remove 'incremental' or use list/request partitions");
    }
    if (partitions == null && request.references().contains("partition")) {
      throw new PluginConfigException(config.owner() + ": the request uses {partition} but no partitions are configured");
    }
    HttpConnector.AuthFactory auth = auth(config);
    RequestSigner signer = signer(config, context);
    StatusActions actions = statusActions(config);
    PluginConfig retry = nested(config, "retry");
    HttpCaller.RetrySettings d = HttpCaller.RetrySettings.DEFAULTS;
    HttpCaller.RetrySettings retrySettings = new HttpCaller.RetrySettings(
        retry.intValue("maxRetries", d.maxRetries(), 0, 100),
        positive(retry, "initialBackoff", retry.duration("initialBackoff", d.initialBackoff())),
        positive(retry, "maxBackoff", retry.duration("maxBackoff", d.maxBackoff())),
        retry.duration("maxRetryAfter", d.maxRetryAfter()));
    Double rate = null;
    if (config.has("maxRequestsPerSecond")) {
      rate = config.doubleValue("maxRequestsPerSecond", 0);
      if (!(rate > 0) || rate > 1_000_000) {
        throw config.invalid("maxRequestsPerSecond", "a number above 0", config.node("maxRequestsPerSecond").orElseThrow());
      }
    }
    InetSocketAddress proxy = null;
    if (config.has("proxy")) {
      PluginConfig p = nested(config, "proxy");
      proxy = InetSocketAddress.createUnresolved(p.string("host"), p.intValue("port", 3128, 1, 65535));
    }
    HttpClient.Version version = switch (config.string("httpVersion", "auto")) {
      case "http1.1" -> HttpClient.Version.HTTP_1_1;
      case "auto", "http2" -> HttpClient.Version.HTTP_2;
      default -> throw config.invalid("httpVersion", "auto, http1.1 or http2", config.node("httpVersion").orElseThrow());
    };
    List<String> secretParameters = new ArrayList<>(config.stringList("secretQueryParameters"));
    return new HttpConnector.Settings(baseUrl, request, selector(records, context), keyField, keyTemplate,
        List.copyOf(fields), pagination, incremental, partitions, auth, signer, actions, retrySettings,
        positive(config, "connectTimeout", config.duration("connectTimeout", Duration.ofSeconds(10))),
        positive(config, "requestTimeout", config.duration("requestTimeout", Duration.ofSeconds(60))),
        version, proxy, rate, config.longValue("maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES, 1024, Long.MAX_VALUE),
        zone, secretParameters);
  }

  private static Duration positive(PluginConfig config, String option, Duration d) {
    if (d.isZero()) {
      throw config.invalid(option, "a duration above zero", config.node(option).orElseThrow());
    }
    return d;
  }

  /** The options under {@code option} (an object), or an empty set. */
  static PluginConfig nested(PluginConfig config, String option) {
    JsonNode n = config.node(option).orElse(null);
    if (n == null) {
      return new PluginConfig(config.owner() + " " + option, F.objectNode());
    }
    if (!n.isObject()) {
      throw config.invalid(option, "an object", n);
    }
    return new PluginConfig(config.owner() + " " + option, (ObjectNode) n);
  }

  private static URI httpUrl(PluginConfig config, String option, String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw config.invalid(option, "an absolute http(s) URL (" + e.getReason() + ")", F.textNode(text));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw config.invalid(option, "an absolute http(s) URL", F.textNode(text));
    }
    if (uri.getRawUserInfo() != null) {
      throw new PluginConfigException(config.owner() + ": option '" + option + "' must not hold credentials"
          + " (user:password@); use auth: {type: basic}");
    }
    return uri;
  }

  private static FieldPath fieldPath(PluginConfig config, String option, String text) {
    try {
      return FieldPath.parseDotted(text);
    } catch (IllegalArgumentException e) {
      throw config.invalid(option, "a field name or dotted path like id or $.meta.id", F.textNode(text));
    }
  }

  private static Template template(PluginConfig config, String option, String text, Set<String> scopes) {
    return template(config, option, text, scopes, false);
  }

  /** @param secret whether {@code text} is a secret: the message then leaves it out */
  private static Template template(PluginConfig config, String option, String text, Set<String> scopes,
      boolean secret) {
    try {
      return Template.parse(text).requireScopes(scopes, "option '" + option + "'");
    } catch (IllegalArgumentException e) {
      String message = secret ? e.getMessage().replace(text, Redactor.MASK) : e.getMessage();
      throw new PluginConfigException(config.owner() + ": " + (message.startsWith("option '") ? ""
          : "option '" + option + "': ") + message);
    }
  }

  private static JsonPathExpression jsonPath(PluginConfig config, String option) {
    String text = config.string(option);
    try {
      return JsonPathExpression.compile(text);
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": option '" + option + "': " + e.getMessage());
    }
  }

  /** A request's method, path, query, headers and body from {@code config}. */
  private static RequestSpec request(PluginConfig config, String prefix, URI baseUrl) {
    String method = config.string("method", "GET").toUpperCase(Locale.ROOT);
    if (!method.equals("GET") && !method.equals("POST")) {
      throw config.invalid("method", "GET or POST", config.node("method").orElseThrow());
    }
    List<Map.Entry<String, String>> query = new ArrayList<>();
    config.node("query").ifPresent(q -> {
      if (!q.isObject()) {
        throw config.invalid("query", "an object of parameter names to values", q);
      }
      q.properties().forEach(e -> {
        JsonNode v = e.getValue();
        if (v.isArray()) {
          for (JsonNode item : v) {
            if (!item.isValueNode() || item.isNull()) {
              throw config.invalid("query", "scalar values or lists of them (parameter '" + e.getKey() + "')", v);
            }
            query.add(Map.entry(e.getKey(), item.asText()));
          }
        } else if (v.isValueNode() && !v.isNull()) {
          query.add(Map.entry(e.getKey(), v.asText()));
        } else {
          throw config.invalid("query", "scalar values or lists of them (parameter '" + e.getKey() + "')", v);
        }
      });
    });
    Map<String, String> headers = new LinkedHashMap<>();
    config.node("headers").ifPresent(h -> {
      if (!h.isObject()) {
        throw config.invalid("headers", "an object of header names to values", h);
      }
      h.properties().forEach(e -> {
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw config.invalid("headers", "string values (header '" + e.getKey() + "')", e.getValue());
        }
        headers.put(e.getKey(), e.getValue().asText());
      });
    });
    try {
      return new RequestSpec(prefix + "request", baseUrl, method, config.string("path", ""), query, headers,
          config.node("body").orElse(null));
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + e.getMessage(), e);
    }
  }

  private static RecordSelector selector(PluginConfig records, PluginContext context) {
    JsonPathExpression path = records.has("path") ? jsonPath(records, "path") : null;
    String delimiter = records.string("delimiter", ",");
    if (delimiter.length() != 1) {
      throw records.invalid("delimiter", "a single character", records.node("delimiter").orElseThrow());
    }
    return new RecordSelector(path, records.enumValue("format", RecordSelector.Format.class, RecordSelector.Format.AUTO),
        delimiter.charAt(0), context.objectMapper());
  }

  private static Pagination pagination(PluginConfig p, RequestSpec request) {
    if (!p.has("type")) {
      if (p.asObjectNode().isEmpty()) {
        return Pagination.NONE;
      }
      p.string("type"); // throws: required
    }
    Pagination.Type type = p.enumValue("type", Pagination.Type.class, Pagination.Type.NONE);
    Set<String> refs = request.references();
    String param = null;
    String sizeParam = null;
    Long size = null;
    long start = 0;
    JsonPathExpression cursor = null;
    JsonPathExpression next = null;
    switch (type) {
      case PAGE:
        param = paramOrTemplate(p, "param", "page", refs, "page.number");
        start = p.longValue("start", 1, 0, Long.MAX_VALUE);
        sizeParam = p.optionalString("sizeParam").orElse(null);
        size = p.has("size") ? p.longValue("size", 100, 1, Long.MAX_VALUE) : null;
        refuse(p, type, "limit", "limitParam", "cursor", "next", "rel");
        break;
      case OFFSET:
        param = paramOrTemplate(p, "param", "offset", refs, "page.offset");
        start = p.longValue("start", 0, 0, Long.MAX_VALUE);
        sizeParam = paramOrTemplate(p, "limitParam", "limit", refs, "page.limit");
        size = p.longValue("limit", 100, 1, Long.MAX_VALUE);
        refuse(p, type, "size", "sizeParam", "cursor", "next", "rel");
        break;
      case CURSOR:
        param = paramOrTemplate(p, "param", "cursor", refs, "page.cursor");
        cursor = jsonPath(p, "cursor");
        sizeParam = p.optionalString("sizeParam").orElse(null);
        size = p.has("size") ? p.longValue("size", 100, 1, Long.MAX_VALUE) : null;
        refuse(p, type, "start", "limit", "limitParam", "next", "rel", "stopOnShortPage");
        break;
      case NEXT_URL:
        next = jsonPath(p, "next");
        refuse(p, type, "param", "start", "size", "sizeParam", "limit", "limitParam", "cursor", "rel", "stopOnShortPage");
        break;
      case LINK:
        refuse(p, type, "param", "start", "size", "sizeParam", "limit", "limitParam", "cursor", "next", "hasMore",
            "stopOnShortPage");
        break;
      default:
        return Pagination.NONE;
    }
    JsonPathExpression hasMore = p.has("hasMore") ? jsonPath(p, "hasMore") : null;
    return new Pagination(type, param, start, sizeParam, size, cursor, next, hasMore, p.string("rel", "next"),
        p.intValue("maxPages", 0, 0, Integer.MAX_VALUE), p.bool("stopOnEmptyPage", true),
        p.bool("stopOnShortPage", true), p.bool("allowOtherHosts", false));
  }

  /** The parameter name, or null when the option is absent and a template uses {@code variable}. */
  private static String paramOrTemplate(PluginConfig p, String option, String defaultName, Set<String> refs,
      String variable) {
    if (p.has(option)) {
      return p.string(option);
    }
    return refs.contains(variable) ? null : defaultName;
  }

  private static void refuse(PluginConfig p, Pagination.Type type, String... options) {
    for (String o : options) {
      if (p.has(o)) {
        throw new PluginConfigException(p.owner() + ": option '" + o + "' does not apply to type "
            + type.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
    }
  }

  private static Incremental incremental(PluginConfig c, RequestSpec request, ZoneId zone) {
    FieldPath field = fieldPath(c, "field", c.string("field"));
    Incremental.Type type = c.enumValue("type", Incremental.Type.class, Incremental.Type.TIMESTAMP);
    String param = c.optionalString("param").orElse(null);
    if (param == null && !request.references().contains("cursor")) {
      throw new PluginConfigException(c.owner() + ": set 'param' (the query parameter carrying the value to read from)"
          + " or use {cursor} in the request's path, query, headers or body");
    }
    Template start = c.optionalString("start").map(s -> template(c, "start", s, Set.of("params"))).orElse(null);
    try {
      return new Incremental(field, type, param, c.string("format", "iso"), start,
          c.duration("lookback", Duration.ZERO), c.bool("sorted", true), zone);
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(c.owner() + ": " + e.getMessage(), e);
    }
  }

  private static Partitions partitions(PluginConfig c, URI baseUrl, ZoneId zone, PluginContext context) {
    Partitions.Type type = c.enumValue("type", Partitions.Type.class, null);
    if (type == null) {
      c.string("type"); // throws: required
    }
    switch (type) {
      case LIST: {
        JsonNode values = c.node("values").orElseThrow(() -> new PluginConfigException(c.owner()
            + ": option 'values' is required for type list"));
        if (!(values instanceof ArrayNode a) || a.isEmpty()) {
          throw c.invalid("values", "a non-empty list", values);
        }
        List<JsonNode> list = new ArrayList<>();
        values.forEach(list::add);
        return Partitions.list(list);
      }
      case REQUEST: {
        PluginConfig r = nested(c, "request");
        if (!c.has("request")) {
          throw new PluginConfigException(c.owner() + ": option 'request' is required for type request");
        }
        RequestSpec parent = request(r, "partitions.", baseUrl);
        if (parent.references().contains("partition") || parent.references().contains("cursor")) {
          throw new PluginConfigException(r.owner() + ": the parent request can't use {partition} or {cursor}");
        }
        FieldPath value = fieldPath(c, "value", c.string("value"));
        return Partitions.request(parent, selector(nested(r, "records"), context), pagination(nested(r, "pagination"),
            parent), value);
      }
      default: {
        Template start = template(c, "start", c.string("start"), Set.of("params"));
        Template end = c.optionalString("end").map(s -> template(c, "end", s, Set.of("params"))).orElse(null);
        try {
          return Partitions.dates(start, end, Partitions.parseStep(c.string("step", "1d")), c.string("format", "date"),
              c.duration("lookback", Duration.ZERO), zone);
        } catch (IllegalArgumentException e) {
          throw new PluginConfigException(c.owner() + ": " + e.getMessage(), e);
        }
      }
    }
  }

  private static StatusActions statusActions(PluginConfig config) {
    Map<String, String> configured = new LinkedHashMap<>();
    config.node("onStatus").ifPresent(n -> {
      if (!n.isObject()) {
        throw config.invalid("onStatus", "an object such as {\"404\": ignore, \"5xx\": retry}", n);
      }
      n.properties().forEach(e -> configured.put(e.getKey(), e.getValue().asText()));
    });
    try {
      return StatusActions.of(configured);
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(config.owner() + ": " + e.getMessage(), e);
    }
  }

  private static HttpConnector.AuthFactory auth(PluginConfig config) {
    PluginConfig a = nested(config, "auth");
    if (!config.has("auth")) {
      return (client, redactor, clock, sleeper, secrets) -> RequestAuth.NONE;
    }
    String type = a.string("type");
    Set<String> scopes = Set.of("params");
    switch (type) {
      case "none":
        return (client, redactor, clock, sleeper, secrets) -> RequestAuth.NONE;
      case "basic": {
        Template user = template(a, "username", a.string("username"), scopes);
        Template pass = template(a, "password", a.secret("password"), scopes, true);
        return (client, redactor, clock, sleeper, secrets) -> {
          registerConstant(redactor, pass);
          return RequestAuth.basic(user, pass, redactor);
        };
      }
      case "bearer": {
        Template token = template(a, "token", a.secret("token"), scopes, true);
        return (client, redactor, clock, sleeper, secrets) -> {
          registerConstant(redactor, token);
          return RequestAuth.bearer(token, redactor);
        };
      }
      case "api-key": {
        String name = a.string("name");
        Template value = template(a, "value", a.secret("value"), scopes, true);
        boolean inQuery = a.string("in", "header").equals("query");
        if (!inQuery) {
          try {
            OutgoingRequest.checkHeader(name, "");
          } catch (IllegalArgumentException e) {
            throw a.invalid("name", "a header name", F.textNode(name));
          }
        }
        return (client, redactor, clock, sleeper, secrets) -> {
          registerConstant(redactor, value);
          return RequestAuth.apiKey(name, value, inQuery, redactor);
        };
      }
      case "oauth2": {
        URI tokenUrl = httpUrl(a, "tokenUrl", a.string("tokenUrl"));
        String clientId = a.string("clientId");
        String clientSecret = a.has("clientSecret") ? a.secret("clientSecret") : null;
        String grant = a.string("grant", "client-credentials");
        String refreshSecret = a.optionalString("refreshTokenSecret").orElse(null);
        if (grant.equals("refresh-token") && refreshSecret == null) {
          throw new PluginConfigException(a.owner() + ": option 'refreshTokenSecret' is required for grant"
              + " refresh-token: the name of the stored secret holding the refresh token (sluice secret set NAME),"
              + " where a rotated one is saved");
        }
        if (!grant.equals("refresh-token") && !grant.equals("client-credentials")) {
          throw a.invalid("grant", "client-credentials or refresh-token", a.node("grant").orElseThrow());
        }
        List<String> scopesList = a.stringList("scopes");
        Map<String, String> parameters = new LinkedHashMap<>();
        a.node("parameters").ifPresent(p -> p.properties().forEach(e -> parameters.put(e.getKey(), e.getValue().asText())));
        OAuthTokens.ClientAuthentication clientAuth = a.string("clientAuthentication", "basic").equals("body")
            ? OAuthTokens.ClientAuthentication.REQUEST_BODY : OAuthTokens.ClientAuthentication.BASIC_HEADER;
        Duration margin = a.duration("expiryMargin", Duration.ofSeconds(60));
        return (client, redactor, clock, sleeper, secrets) -> {
          OAuthTokens.Builder b = OAuthTokens.builder(tokenUrl, client, clock)
              .clientId(clientId).clientSecret(clientSecret).clientAuthentication(clientAuth)
              .scopes(scopesList).expiryMargin(margin).sleeper(sleeper).redactor(redactor);
          parameters.forEach(b::parameter);
          if (grant.equals("refresh-token")) {
            b.refreshToken(secrets, refreshSecret);
          } else {
            b.clientCredentials();
          }
          return RequestAuth.oauth(b.build());
        };
      }
      default:
        throw a.invalid("type", "none, basic, bearer, api-key or oauth2", a.node("type").orElseThrow());
    }
  }

  /** A secret written as a constant (or ${secret:…} resolved at load) is masked from the start. */
  private static void registerConstant(Redactor redactor, Template t) {
    if (t.isConstant()) {
      redactor.addSecret(t.text().replace("{{", "{").replace("}}", "}"));
    }
  }

  private static RequestSigner signer(PluginConfig config, PluginContext context) {
    if (!config.has("signer")) {
      return null;
    }
    PluginConfig s = nested(config, "signer");
    String type = s.string("type");
    Set<String> known = new TreeSet<>();
    for (ClassLoader loader : loaders()) {
      Iterator<RequestSignerProvider> it = ServiceLoader.load(RequestSignerProvider.class, loader).iterator();
      while (true) {
        RequestSignerProvider provider;
        try {
          if (!it.hasNext()) {
            break;
          }
          provider = it.next();
        } catch (ServiceConfigurationError | LinkageError e) {
          context.logger().warn("a request signer provider was skipped: {}", e.toString());
          continue;
        }
        known.add(provider.type());
        if (provider.type().equals(type)) {
          ObjectNode options = s.asObjectNode();
          options.remove("type");
          RequestSigner signer = provider.create(new PluginConfig(config.owner() + " signer (type " + type + ")", options),
              context);
          if (signer == null) {
            throw new PluginConfigException(provider.getClass().getName() + " returned null for " + s.owner());
          }
          return signer;
        }
      }
    }
    throw new PluginConfigException(s.owner() + ": no request signer of type '" + type + "' (known: "
        + (known.isEmpty() ? "none" : String.join(", ", known)) + "); put the jar with its RequestSignerProvider on"
        + " the class path");
  }

  private static List<ClassLoader> loaders() {
    List<ClassLoader> loaders = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      loaders.add(context);
    }
    ClassLoader own = HttpConnectorProvider.class.getClassLoader();
    if (own != null && own != context) {
      loaders.add(own);
    }
    return loaders;
  }
}
