package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceException;
import dev.sluice.delivery.Sleeper;
import dev.sluice.internal.DaemonThreadFactory;
import dev.sluice.record.FieldPath;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ReadContext;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * The {@code http} connector: reads records from a REST API as configured (see {@link
 * HttpConnectorProvider} and docs/user-guide/connectors.md): requests built from templates,
 * authentication, record selection, pagination, incremental sync, partitions, rate limits, retries
 * and per-status actions.
 *
 * <p>Checkpoints (a JSON object):
 *
 * <ul>
 *   <li>incremental: {@code {"cursor": <highest value>, "atCursor": [keys emitted at it]}}, or with
 *       list/request partitions {@code {"partitions": {"<partition>": {"cursor": ..., "atCursor":
 *       [...]}}}}; emitted after every page when the API sorts ascending by the cursor field
 *       ({@code sorted: true}, the default), else after each stream is complete;
 *   <li>date partitions: {@code {"datesDoneUntil": "<instant>"}}, after each complete slice;
 *   <li>full refresh: {@code {"done": [partitions]}} while a partitioned read is under way, then
 *       {@code {"completedAt": "<instant>"}}; the next read starts over.
 * </ul>
 *
 * <p>Stops between requests once the run is cancelled; an interrupt aborts the request in flight.
 * Secrets never appear in its messages, logs or request reports.
 *
 * <p>Thread-safe: concurrent reads share the HTTP client, the token cache and the rate limit.
 */
public final class HttpConnector implements Connector, dev.sluice.spi.ConnectionCheck {
  private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT;

  /** Creates the authentication once the HTTP client exists (OAuth needs it). */
  @FunctionalInterface
  interface AuthFactory {
    RequestAuth create(HttpClient client, Redactor redactor, Clock clock, Sleeper sleeper, PluginSecrets secrets);
  }

  /** Everything the provider read from the options. */
  record Settings(
      URI baseUrl,
      RequestSpec request,
      RecordSelector records,
      FieldPath keyField,
      Template keyTemplate,
      List<FieldPath> fields,
      Pagination pagination,
      Incremental incremental,
      Partitions partitions,
      AuthFactory auth,
      RequestSigner signer,
      StatusActions statusActions,
      HttpCaller.RetrySettings retry,
      Duration connectTimeout,
      Duration requestTimeout,
      HttpClient.Version httpVersion,
      InetSocketAddress proxy,
      Double maxRequestsPerSecond,
      long maxResponseBytes,
      ZoneId zone,
      List<String> secretParameters) {}

  private final Settings settings;
  private final ObjectMapper mapper;
  private final PluginSecrets secrets;
  private final Redactor redactor;
  private final ExecutorService executor;
  private final HttpClient client;
  private final HttpCaller caller;
  private volatile boolean closed;

  HttpConnector(Settings settings, ObjectMapper mapper, Clock clock, Sleeper sleeper, RandomGenerator random,
      PluginSecrets secrets) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.redactor = new Redactor().addParameters(settings.secretParameters());
    this.executor = Executors.newCachedThreadPool(new DaemonThreadFactory("sluice-http"));
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(settings.httpVersion())
        .connectTimeout(settings.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, within the origin only
        .executor(executor);
    if (settings.proxy() != null) {
      b.proxy(ProxySelector.of(settings.proxy()));
    }
    this.client = b.build();
    RequestAuth auth = settings.auth().create(client, redactor, clock, sleeper, secrets);
    this.caller = new HttpCaller(client, auth, settings.signer(), redactor, settings.statusActions(), settings.retry(),
        settings.requestTimeout(), settings.maxResponseBytes(), settings.maxRequestsPerSecond(), clock, sleeper, random);
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    if (closed) {
      throw new IllegalStateException("the http connector of pipeline '" + context.pipeline() + "' is closed");
    }
    Read read = new Read(context, from, emitter);
    try {
      read.run();
    } catch (HttpCaller.Cancelled cancelled) {
      context.logger().info("read cancelled; stopped between requests");
    } catch (HttpSourceException | InterruptedException e) {
      throw e;
    } catch (SluiceException | IllegalArgumentException | IllegalStateException e) {
      // Messages of these may quote URLs and values: mask before they travel.
      SluiceException masked = new SluiceException("pipeline '" + context.pipeline() + "' source (type http): "
          + redactor.mask(e.getMessage()));
      masked.setStackTrace(e.getStackTrace());
      throw masked;
    }
  }

  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
  }

  /** One read: its context, state and checkpoint. Not thread-safe. */
  /**
   * Resolves the base URL's host (or the proxy's, when one is set) and opens a TCP connection to it
   * within {@code timeout}, then closes it: no request is sent, since the API's paths, methods and
   * authentication are the run's to use (a GET may cost quota or have effects). Names the origin
   * only, masked.
   *
   * @param timeout the connect timeout
   * @return ok or failed
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(Duration timeout) {
    String what = "http connector";
    if (settings.proxy() != null) {
      InetSocketAddress p = settings.proxy();
      return dev.sluice.internal.TcpCheck.check(what + " (through its proxy)",
          URI.create("http://" + p.getHostString() + ":" + p.getPort()), timeout, java.net.InetAddress::getAllByName);
    }
    return dev.sluice.internal.TcpCheck.check(what, settings.baseUrl(), timeout, java.net.InetAddress::getAllByName);
  }

  private final class Read {
    final ReadContext context;
    final Emitter emitter;
    final ObjectNode state;
    /** The checkpoint as the read found it, for {@code {checkpoint.*}} of a full refresh. */
    final ObjectNode found;
    final ZonedDateTime now;
    final ReadVars base;
    final Map<String, String> secretCache = new HashMap<>();
    JsonNode lastEmitted;
    boolean warnedUnsorted;
    boolean warnedMissingCursor;

    Read(ReadContext context, Checkpoint from, Emitter emitter) {
      this.context = context;
      this.emitter = emitter;
      if (from == null) {
        state = JsonNodeFactory.instance.objectNode();
      } else if (from.state() instanceof ObjectNode o) {
        state = o.deepCopy();
        lastEmitted = o.deepCopy();
      } else {
        throw new IllegalArgumentException("the checkpoint " + from.state() + " is not a JSON object as the http"
            + " connector writes them; reset the pipeline's checkpoint");
      }
      this.found = state.deepCopy();
      this.now = context.clock().instant().atZone(settings.zone());
      this.base = new ReadVars(context.parameters(), now, this::secret);
    }

    private String secret(String name) {
      String value = secretCache.computeIfAbsent(name, n -> secrets.get(n).orElse(null));
      redactor.addSecret(value);
      return value;
    }

    void run() throws Exception {
      Partitions p = settings.partitions();
      if (p == null) {
        readStream(null, settings.incremental() != null ? state : null);
        if (settings.incremental() == null) {
          completeFullRefresh();
        } else {
          checkpoint();
        }
        return;
      }
      switch (p.type) {
        case DATES:
          readDates(p);
          return;
        case LIST: {
          Set<String> seen = new LinkedHashSet<>();
          for (JsonNode v : p.values) {
            String key = Template.asText(v);
            if (seen.add(key)) {
              readPartition(new ReadVars.Partition(key, v, v.isObject() ? v : null));
            }
          }
          finishPartitions(seen);
          return;
        }
        default: {
          Set<String> seen = new LinkedHashSet<>();
          finishPartitions(readParent(p, seen) ? seen : null);
        }
      }
    }

    private void readPartition(ReadVars.Partition partition) throws Exception {
      if (settings.incremental() != null) {
        ObjectNode partitions = state.has("partitions") && state.get("partitions").isObject()
            ? (ObjectNode) state.get("partitions") : state.putObject("partitions");
        ObjectNode own = partitions.get(partition.key()) instanceof ObjectNode o ? o : partitions.putObject(partition.key());
        readStream(partition, own);
        if (own.isEmpty()) {
          partitions.remove(partition.key()); // nothing read yet: no position to keep
        }
        checkpoint();
        return;
      }
      ArrayNode done = state.get("done") instanceof ArrayNode a ? a : null;
      if (done != null) {
        for (JsonNode d : done) {
          if (d.asText().equals(partition.key())) {
            return; // read before a crash or cancellation of the same full refresh
          }
        }
      }
      readStream(partition, null);
      state.remove("completedAt");
      (done != null ? done : state.putArray("done")).add(partition.key());
      checkpoint();
    }

    /** @param seen every partition of this read, or null when the list is not known to be complete */
    private void finishPartitions(Set<String> seen) throws InterruptedException {
      if (settings.incremental() == null) {
        completeFullRefresh();
        return;
      }
      if (seen != null && state.get("partitions") instanceof ObjectNode partitions) {
        // Partitions that no longer exist: forget them, so the checkpoint does not grow forever.
        List<String> gone = new java.util.ArrayList<>();
        partitions.fieldNames().forEachRemaining(k -> {
          if (!seen.contains(k)) {
            gone.add(k);
          }
        });
        gone.forEach(partitions::remove);
      }
      checkpoint();
    }

    private void completeFullRefresh() throws InterruptedException {
      state.removeAll();
      state.put("completedAt", ISO.format(now.toInstant()));
      checkpoint();
    }

    private void readDates(Partitions p) throws Exception {
      Instant nowInstant = now.toInstant();
      Instant from = p.instant(render(p.start, "partitions.start"), "start");
      Instant to = p.end == null ? nowInstant : p.instant(render(p.end, "partitions.end"), "end");
      JsonNode done = state.get("datesDoneUntil");
      if (done != null && done.isTextual()) {
        Instant resume;
        try {
          resume = Instant.parse(done.textValue());
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("the checkpoint's datesDoneUntil '" + done.textValue()
              + "' is not an instant; reset the pipeline's checkpoint");
        }
        Instant withLookback = p.minusLookback(resume);
        if (withLookback.isAfter(from)) {
          from = withLookback;
        }
      }
      for (Instant s = from; s.isBefore(to); ) {
        Instant next = p.plusStep(s);
        Instant e = next.isAfter(to) ? to : next;
        readStream(p.slice(s, e), null);
        boolean complete = !e.isAfter(nowInstant) && (e.equals(next) || p.end != null);
        if (complete) {
          state.put("datesDoneUntil", ISO.format(e));
          checkpoint();
        }
        s = next;
      }
    }

    private String render(Template t, String option) {
      try {
        return t.render(base, x -> x);
      } catch (Template.RenderException e) {
        throw new IllegalArgumentException(option + ": " + e.getMessage());
      }
    }

    /** The parent request's pages, one stream per parent record; false when the list was ignored (onStatus). */
    private boolean readParent(Partitions p, Set<String> seen) throws Exception {
      Pagination.Pager pager = p.parentPagination.start();
      OutgoingRequest first = null;
      while (true) {
        ReadVars vars = base.withPage(pager.vars());
        OutgoingRequest request = pager.nextUri() != null
            ? first.withUri(pager.nextUri(), first.method, true)
            : build(p.parent, vars, pager.parameters());
        if (first == null) {
          first = request;
        }
        HttpCaller.Response response = caller.send(request, vars, context, p.parentPagination.allowOtherHosts);
        if (response.ignored()) {
          return false;
        }
        String where = request.method + " " + redactor.mask(request.uri().toString());
        RecordSelector.Page page = select(p.parentRecords, response, request, where);
        for (RecordSelector.Item item : page.items()) {
          if (!item.isRecord()) {
            emitter.reject(item.raw(), item.location(), "partition list: " + item.problem());
            continue;
          }
          JsonNode value = p.value.path(item.node());
          if (value.isMissingNode() || value.isNull() || value.isContainerNode()) {
            emitter.reject(item.node().toString(), item.location(), "partition list: the field '" + p.value
                + "' is missing or not a scalar");
            continue;
          }
          String key = Template.asText(value);
          if (seen.add(key)) {
            readPartition(new ReadVars.Partition(key, value, item.node()));
          }
        }
        String stop = pager.advance(page.document(), response.headers().allValues("Link"), request.uri(),
            page.items().size());
        if (stop != null) {
          return true;
        }
      }
    }

    /** Reads one stream (the whole source, or one partition) page by page. */
    private void readStream(ReadVars.Partition partition, ObjectNode streamState) throws Exception {
      Incremental inc = settings.incremental();
      Incremental.StreamCursor cursor = null;
      if (inc != null) {
        String start = inc.start == null ? null : render(inc.start, "incremental.start");
        cursor = inc.begin(streamState, start);
      }
      String cursorValue = cursor == null ? null : cursor.requestValue();
      // a snapshot: the state moves with every page, {checkpoint.*} must not; a full refresh sees
      // the checkpoint it started from ({checkpoint.completedAt}: when the last complete read began)
      JsonNode checkpointVars = streamState != null ? streamState.deepCopy() : partition == null ? found : null;
      ReadVars vars = base.withStream(partition, checkpointVars, cursorValue);
      Pagination pagination = settings.pagination();
      Pagination.Pager pager = pagination.start();
      OutgoingRequest first = null;
      while (true) {
        ReadVars pageVars = vars.withPage(pager.vars());
        OutgoingRequest request;
        if (pager.nextUri() != null) {
          request = first.withUri(pager.nextUri(), first.method, true);
        } else {
          Map<String, String> extra = new LinkedHashMap<>(pager.parameters());
          if (inc != null && inc.param != null && cursorValue != null) {
            extra.put(inc.param, cursorValue);
          }
          request = build(settings.request(), pageVars, extra);
        }
        if (first == null) {
          first = request;
        }
        HttpCaller.Response response = caller.send(request, pageVars, context, pagination.allowOtherHosts);
        if (response.ignored()) {
          break;
        }
        String where = request.method + " " + redactor.mask(request.uri().toString())
            + (partition == null ? "" : " (partition " + partition.key() + ")");
        RecordSelector.Page page = select(settings.records(), response, request, where);
        for (RecordSelector.Item item : page.items()) {
          if (!item.isRecord()) {
            emitter.reject(item.raw(), item.location(), item.problem());
            continue;
          }
          ObjectNode data = (ObjectNode) item.node();
          String key = key(data, pageVars);
          if (key == null) {
            emitter.reject(data.toString(), item.location(), "the record has no key: "
                + (settings.keyField() != null ? "field '" + settings.keyField() + "' is missing or not a scalar"
                    : "keyTemplate '" + settings.keyTemplate() + "' has no value"));
            continue;
          }
          if (cursor != null && !cursor.accept(key, data)) {
            continue;
          }
          Record.Builder record = Record.builder(key, project(data));
          if (partition != null) {
            record.attribute("partition", partition.key());
          }
          emitter.emit(record.build());
        }
        if (cursor != null) {
          warnOnce(cursor, inc);
          if (inc.sorted && cursor.changed()) {
            cursor.writeTo(streamState);
            checkpoint();
          }
        }
        String stop = pager.advance(page.document(), response.headers().allValues("Link"), request.uri(),
            page.items().size());
        if (stop != null) {
          if (context.logger().isDebugEnabled()) {
            context.logger().debug("{}: stopped after {} page(s): {}", where, pager.pages(), stop);
          }
          break;
        }
      }
      if (cursor != null && cursor.changed()) {
        cursor.writeTo(streamState); // unsorted: safe only now that the stream is complete
      }
    }

    private void warnOnce(Incremental.StreamCursor cursor, Incremental inc) {
      if (cursor.unsortedSeen && inc.sorted && !warnedUnsorted) {
        warnedUnsorted = true;
        context.logger().warn("records are not sorted ascending by '{}' although incremental.sorted is true:"
            + " a run that stops early may skip records; set incremental.sorted: false", inc.field);
      }
      if (cursor.missingSeen && !warnedMissingCursor) {
        warnedMissingCursor = true;
        context.logger().warn("some records have no readable '{}' (a {}); they are emitted but can't move the"
            + " checkpoint", inc.field, inc.type.name().toLowerCase(java.util.Locale.ROOT));
      }
    }

    private OutgoingRequest build(RequestSpec spec, ReadVars vars, Map<String, String> extra) {
      try {
        return spec.render(vars, extra, mapper);
      } catch (Template.RenderException e) {
        throw new IllegalArgumentException("can't build the request: " + e.getMessage());
      }
    }

    private RecordSelector.Page select(RecordSelector selector, HttpCaller.Response response,
        OutgoingRequest request, String where) {
      try {
        return selector.select(response.body(), response.contentType(), where);
      } catch (RecordSelector.UnreadableBody e) {
        String url = redactor.mask(request.uri().toString());
        String body = new String(response.body(), 0, Math.min(response.body().length, HttpCaller.BODY_EXCERPT),
            StandardCharsets.UTF_8);
        throw new HttpSourceException(request.method, url, response.status(), request.method + " " + url
            + " answered " + response.status() + " but " + e.getMessage() + ": " + redactor.mask(body.strip()), null);
      }
    }

    private String key(ObjectNode data, ReadVars vars) {
      if (settings.keyField() != null) {
        return settings.keyField().textAt(data);
      }
      if (settings.keyTemplate() != null) {
        try {
          String k = settings.keyTemplate().render(vars.withRecord(data), x -> x);
          return k.isEmpty() ? null : k;
        } catch (Template.RenderException e) {
          return null;
        }
      }
      return contentHash(data);
    }

    private ObjectNode project(ObjectNode data) {
      if (settings.fields().isEmpty()) {
        return data;
      }
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      for (FieldPath f : settings.fields()) {
        JsonNode v = f.path(data);
        if (v.isMissingNode()) {
          continue;
        }
        String[] steps = f.toString().split("\\.");
        ObjectNode target = out;
        for (int i = 0; i < steps.length - 1; i++) {
          target = target.get(steps[i]) instanceof ObjectNode o ? o : target.putObject(steps[i]);
        }
        target.set(steps[steps.length - 1], v.deepCopy());
      }
      return out;
    }

    /** Emits the state when it differs from the last checkpoint. */
    private void checkpoint() throws InterruptedException {
      if (state.equals(lastEmitted)) {
        return;
      }
      lastEmitted = state.deepCopy();
      emitter.checkpoint(Checkpoint.of(state.deepCopy()));
    }
  }

  /** A stable key for a record without a key field: a hash of its content. */
  static String contentHash(JsonNode data) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(data.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  @Override
  public String toString() {
    return "http connector " + redactor.mask(settings.baseUrl().toString());
  }
}
