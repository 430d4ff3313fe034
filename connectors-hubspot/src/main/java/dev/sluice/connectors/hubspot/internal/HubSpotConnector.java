package dev.sluice.connectors.hubspot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.hubspot.HubSpotException;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one HubSpot CRM object type (CRM v3).
 *
 * <p><b>Full refresh</b> ({@code incremental: false}): {@code GET /crm/v3/objects/{type}} paged with
 * {@code after}, then, with {@code archived: true}, the archived records the same way. A checkpoint
 * after each page lets an interrupted run continue; a finished pass ends with a checkpoint marked
 * complete, after which the next run reads everything again (that is what full refresh means).
 *
 * <p><b>Incremental</b>: {@code POST /crm/v3/objects/{type}/search} filtered on the last-modified
 * property ({@code lastmodifieddate} for contacts, {@code hs_lastmodifieddate} otherwise), sorted
 * ascending, up to 200 a page. Records are emitted in the total order (time, id); see {@link
 * Cursor}. The search API pages through at most 10,000 results per query and sorts by one property
 * only, and many records share one time. So this reader never pages a query with {@code after}:
 * every page is the first page of a new query whose lower bound is the last time read completely
 * (keyset paging). From each page it emits every time before the page's last time (those records
 * are all on the page, whatever order HubSpot gives ties), holds back the last time, and starts the
 * next query at it. A page whose records all share one time is read on its own, filtered on that
 * time, sorted by {@code hs_object_id} and keyed on the last id ({@code hs_object_id GT lastId}),
 * so a tie of any size, also above 10,000, is neither lost, duplicated nor looped over.
 *
 * <p>Thread-safe: per-read state lives on the stack; the {@link HubSpotApi} is shared.
 */
public final class HubSpotConnector implements Connector, dev.sluice.spi.ConnectionCheck {
  /** The search endpoints page through at most this many results of one query (HubSpot CRM search, Limitations). */
  public static final int SEARCH_RESULT_CAP = 10_000;
  /** The list endpoint returns at most 100 records a page. */
  static final int LIST_PAGE_MAX = 100;
  /** The v4 associations batch read takes at most this many ids. */
  static final int ASSOCIATION_BATCH = 1000;
  private static final long PROGRESS_EVERY = 1000;

  private final HubSpotOptions options;
  private final HubSpotApi api;
  private final ObjectMapper mapper;
  private final Counter recordsRead;
  private final String owner;
  private volatile boolean closed;

  public HubSpotConnector(HubSpotOptions options, HubSpotApi api, ObjectMapper mapper, MeterRegistry meters, String owner) {
    this.options = options;
    this.api = api;
    this.mapper = mapper;
    this.owner = owner;
    this.recordsRead = Counter.builder("sluice.hubspot.records.read")
        .description("HubSpot records read")
        .tag("object", options.object())
        .register(meters);
  }

  public HubSpotOptions options() {
    return options;
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    if (closed) {
      throw new IllegalStateException(owner + " is closed");
    }
    Read read = new Read(context, emitter);
    read.properties = properties(context);
    JsonNode state = from == null ? null : from.state();
    if (state != null && !state.path("object").asText("").equals(options.object())) {
      throw new HubSpotException(owner + ": the stored checkpoint belongs to object '" + state.path("object").asText("?")
          + "', not '" + options.object() + "'; the option 'object' changed, so reset the pipeline's checkpoint"
          + " to read '" + options.object() + "' from the start", -1, null, false);
    }
    try {
      readFrom(read, state);
    } catch (HubSpotApi.Cancelled cancelled) {
      context.logger().info("{}: read cancelled after {} record(s); stopped between requests", owner, read.emitted);
      return;
    }
    context.logger().info("{}: read {} {} record(s) in {} request(s)", owner, read.emitted, options.object(),
        api.requestCount() - read.requestsAtStart);
  }

  private void readFrom(Read read, JsonNode state) throws IOException, InterruptedException {
    if (options.incremental()) {
      Cursor cursor;
      if (state != null && state.path("mode").asText().equals("incremental")) {
        cursor = Cursor.fromState(state);
        if (!options.lookback().isZero()) {
          cursor = Cursor.startingAt(cursor.millis() - options.lookback().toMillis());
        }
      } else {
        cursor = Cursor.startingAt(options.startDate() == null ? 0 : options.startDate().toEpochMilli());
      }
      read.incremental(cursor);
    } else {
      read.full(state != null && state.path("mode").asText().equals("full") ? state : null);
    }
  }

  /**
   * {@code GET /crm/v3/objects/{object}?limit=1}: an authenticated read of at most one record,
   * which proves the base URL, the token (or OAuth app) and the object's read scope, and emits
   * nothing. Retries stop once {@code timeout} has passed. Messages are the API client's, which
   * never show the token.
   *
   * @param timeout when to stop retrying
   * @return ok, or failed with HubSpot's status, category and the fix
   * @throws InterruptedException when interrupted while waiting for HubSpot
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, String> details = new LinkedHashMap<>();
    details.put("baseUrl", options.baseUrl());
    details.put("object", options.object());
    ReadContext context = new ReadContext() {
      @Override
      public String pipeline() {
        return owner;
      }

      @Override
      public String runId() {
        return "connection-check";
      }

      @Override
      public JsonNode parameters() {
        return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(); // a check has none
      }

      @Override
      public java.time.Clock clock() {
        return java.time.Clock.systemUTC();
      }

      @Override
      public org.slf4j.Logger logger() {
        return org.slf4j.LoggerFactory.getLogger(HubSpotConnector.class);
      }

      @Override
      public boolean isCancelled() {
        return System.nanoTime() - deadline > 0;
      }
    };
    String what = "hubspot connector: GET /crm/v3/objects/" + options.object();
    try {
      api.get("/crm/v3/objects/" + URLEncoder.encode(options.object(), StandardCharsets.UTF_8) + "?limit=1", context);
      return dev.sluice.spi.ConnectionCheckResult.ok(what + " at " + options.baseUrl()
          + " answered with the configured credentials", details);
    } catch (HubSpotApi.Cancelled e) {
      return dev.sluice.spi.ConnectionCheckResult.failed(what + " at " + options.baseUrl() + " got no answer within "
          + timeout.toMillis() + " ms", details);
    } catch (IOException | RuntimeException e) {
      return dev.sluice.spi.ConnectionCheckResult.failed(api.mask(String.valueOf(e.getMessage())), details);
    }
  }

  /** The properties to request and the type of each, checked against the properties API. */
  private Map<String, String> properties(ReadContext context) throws IOException, InterruptedException {
    JsonNode answer = api.get("/crm/v3/properties/" + options.object(), context);
    Map<String, String> known = new LinkedHashMap<>();
    for (JsonNode p : answer.path("results")) {
      known.put(p.path("name").asText(), p.path("type").asText("string"));
    }
    Map<String, String> wanted = new LinkedHashMap<>();
    if (options.properties().isEmpty()) {
      wanted.putAll(known);
    } else {
      for (String name : options.properties()) {
        if (!known.containsKey(name)) {
          throw new HubSpotException(owner + ": property '" + name + "' does not exist on HubSpot object '"
              + options.object() + "' in this account" + suggestion(name, known.keySet())
              + "; fix option 'properties' (GET /crm/v3/properties/" + options.object() + " lists the "
              + known.size() + " properties there are)", 200, "UNKNOWN_PROPERTY", false);
        }
        wanted.put(name, known.get(name));
      }
    }
    String cursor = options.cursorProperty();
    wanted.putIfAbsent(cursor, known.getOrDefault(cursor, "datetime"));
    wanted.putIfAbsent("hs_object_id", known.getOrDefault("hs_object_id", "number"));
    return wanted;
  }

  private static String suggestion(String name, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(name.toLowerCase(), k.toLowerCase());
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 4) ? " (did you mean '" + best + "'?)" : "";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  @Override
  public void close() {
    closed = true;
    api.close();
  }

  /** A full-refresh checkpoint waiting in the outbox. */
  private record FullState(ObjectNode state) {}

  /** One read: its position, held-back records and outbox. */
  private final class Read {
    final ReadContext context;
    final Emitter emitter;
    final int requestsAtStart = api.requestCount();
    Map<String, String> properties;
    long emitted;
    /** Records and checkpoints waiting for their associations, in emission order. */
    final List<Object> outbox = new ArrayList<>();

    Read(ReadContext context, Emitter emitter) {
      this.context = context;
      this.emitter = emitter;
    }

    // ---------------------------------------------------------------- incremental (search)

    void incremental(Cursor start) throws IOException, InterruptedException {
      int limit = Math.min(options.pageSize(), 200);
      Cursor cursor = start;
      while (true) {
        // Every page is the first page of a new query whose lower bound is the cursor (keyset paging):
        // no `after` offsets, so the 10,000-result cap of one query is never reached, and neither a tie
        // order that differs between requests nor records modified meanwhile can shift records past us.
        JsonNode page = search(windowFilters(cursor), options.cursorProperty(), limit);
        List<JsonNode> rows = new ArrayList<>();
        for (JsonNode r : page.path("results")) {
          if (id(r) == null || modified(r) == null) {
            reject(r, "a search result without " + (id(r) == null ? "an id" : "a readable '" + options.cursorProperty() + "'"));
            continue;
          }
          if (!after(cursor, r)) {
            throw new HubSpotException(owner + ": HubSpot's search answer holds record " + idOf(r) + " at "
                + Instant.ofEpochMilli(modified(r)) + ", which the query's lower bound excludes; stopping instead of"
                + " emitting it again", 200, null, true);
          }
          rows.add(r);
        }
        boolean more = next(page) != null;
        if (rows.isEmpty()) {
          if (more) {
            throw new HubSpotException(owner + ": HubSpot's search answer has a next page but no usable record;"
                + " stopping instead of looping", 200, null, true);
          }
          drain();
          return;
        }
        long first = modified(rows.get(0));
        long last = modified(rows.get(rows.size() - 1));
        checkSorted(rows);
        if (!more) {
          emitGroups(rows, Long.MAX_VALUE);
          drain();
          return;
        }
        if (first == last) {
          // A whole page shares one time: read that time on its own, ordered and keyed by id.
          tie(last, cursor.millis() == last && !cursor.inclusive() ? cursor.lastId() : null, limit);
          cursor = Cursor.after(last);
          continue;
        }
        // Every record before the page's last time is on this page, whatever order HubSpot gives ties;
        // the records of the last time may continue beyond it, so the next query starts at that time.
        cursor = Cursor.after(emitGroups(rows, last));
        drain();
        if (total(page) > SEARCH_RESULT_CAP) {
          context.logger().debug("{}: {} more {} changed; the search API pages through {} per query, so each"
              + " page is a new query from {}", owner, total(page), options.object(), SEARCH_RESULT_CAP,
              Instant.ofEpochMilli(cursor.millis()));
        }
      }
    }

    /**
     * Queues the records of {@code rows} modified before {@code before}, by time then id, each time
     * followed by its checkpoint; returns the last time queued.
     */
    long emitGroups(List<JsonNode> rows, long before) {
      List<JsonNode> group = new ArrayList<>();
      Set<String> ids = new HashSet<>();
      long groupMillis = Long.MIN_VALUE;
      long lastQueued = Long.MIN_VALUE;
      for (JsonNode r : rows) {
        long m = modified(r);
        if (m >= before) {
          break;
        }
        if (!group.isEmpty() && m != groupMillis) {
          flush(group, groupMillis);
          lastQueued = groupMillis;
          group.clear();
          ids.clear();
        }
        if (ids.add(idOf(r))) { // the same record twice in one answer counts once
          group.add(r);
        }
        groupMillis = m;
      }
      if (!group.isEmpty()) {
        flush(group, groupMillis);
        lastQueued = groupMillis;
      }
      return lastQueued;
    }

    boolean after(Cursor c, JsonNode r) {
      long m = modified(r);
      if (c.inclusive()) {
        return m >= c.millis();
      }
      return m > c.millis() || (m == c.millis() && c.lastId() != null && compareIds(idOf(r), c.lastId()) > 0);
    }

    void checkSorted(List<JsonNode> rows) {
      long previous = Long.MIN_VALUE;
      for (JsonNode r : rows) {
        long m = modified(r);
        if (m < previous) {
          throw new HubSpotException(owner + ": HubSpot's search answer is not sorted by '" + options.cursorProperty()
              + "' (record " + idOf(r) + " at " + Instant.ofEpochMilli(m) + " came after one at "
              + Instant.ofEpochMilli(previous) + "); stopping instead of guessing", 200, null, true);
        }
        previous = m;
      }
    }

    /** Reads every record modified exactly at {@code millis} with an id above {@code lastId}, by id. */
    void tie(long millis, String lastId, int limit) throws IOException, InterruptedException {
      String last = lastId;
      while (true) {
        ArrayNode groups = JsonNodeFactory.instance.arrayNode();
        ArrayNode filters = groups.addObject().putArray("filters");
        filter(filters, options.cursorProperty(), "EQ", Long.toString(millis));
        if (last != null) {
          filter(filters, "hs_object_id", "GT", last);
        }
        JsonNode page = search(groups, "hs_object_id", limit);
        boolean any = false;
        for (JsonNode r : page.path("results")) {
          String id = id(r);
          if (id == null) {
            reject(r, "a search result without an id");
            continue;
          }
          if (last != null && compareIds(id, last) <= 0) {
            throw new HubSpotException(owner + ": HubSpot's search answer is not sorted by hs_object_id above "
                + last + " (got " + id + "); stopping instead of guessing", 200, null, true);
          }
          outbox.add(r);
          last = id;
          any = true;
        }
        if (any) {
          outbox.add(Cursor.afterId(millis, last));
        }
        drain();
        if (next(page) == null) {
          return;
        }
        if (!any) {
          throw new HubSpotException(owner + ": HubSpot's search answer has a next page but no usable record;"
              + " stopping instead of looping", 200, null, true);
        }
      }
    }

    void flush(List<JsonNode> group, long millis) {
      List<JsonNode> sorted = new ArrayList<>(group);
      sorted.sort(Comparator.comparing(HubSpotConnector::idOf, HubSpotConnector::compareIds));
      outbox.addAll(sorted);
      outbox.add(Cursor.after(millis));
    }

    ArrayNode windowFilters(Cursor c) {
      ArrayNode groups = JsonNodeFactory.instance.arrayNode();
      String p = options.cursorProperty();
      String t = Long.toString(c.millis());
      if (c.inclusive()) {
        filter(groups.addObject().putArray("filters"), p, "GTE", t);
      } else if (c.lastId() == null) {
        filter(groups.addObject().putArray("filters"), p, "GT", t);
      } else {
        ArrayNode tie = groups.addObject().putArray("filters");
        filter(tie, p, "EQ", t);
        filter(tie, "hs_object_id", "GT", c.lastId());
        filter(groups.addObject().putArray("filters"), p, "GT", t);
      }
      return groups;
    }

    JsonNode search(ArrayNode filterGroups, String sortBy, int limit) throws IOException, InterruptedException {
      ObjectNode body = mapper.createObjectNode();
      body.set("filterGroups", filterGroups);
      body.putArray("sorts").addObject().put("propertyName", sortBy).put("direction", "ASCENDING");
      ArrayNode props = body.putArray("properties");
      properties.keySet().forEach(props::add);
      body.put("limit", limit);
      return api.post("/crm/v3/objects/" + options.object() + "/search", body, true, context);
    }

    // ---------------------------------------------------------------- full refresh (list)

    void full(JsonNode state) throws IOException, InterruptedException {
      boolean archivedPhase = false;
      String after = null;
      if (state != null && !state.path("complete").asBoolean(false)) {
        archivedPhase = state.path("archived").asBoolean(false);
        after = state.hasNonNull("after") ? state.get("after").asText() : null;
      }
      int limit = Math.min(options.pageSize(), LIST_PAGE_MAX);
      while (true) {
        StringBuilder q = new StringBuilder("/crm/v3/objects/").append(options.object())
            .append("?limit=").append(limit)
            .append("&archived=").append(archivedPhase)
            .append("&properties=").append(encode(String.join(",", properties.keySet())));
        if (after != null) {
          q.append("&after=").append(encode(after));
        }
        JsonNode page = api.get(q.toString(), context);
        for (JsonNode r : page.path("results")) {
          if (id(r) == null) {
            reject(r, "a list result without an id");
            continue;
          }
          outbox.add(r);
        }
        after = next(page);
        if (after == null && options.archived() && !archivedPhase) {
          archivedPhase = true;
        } else if (after == null) {
          outbox.add(fullState(false, null, true));
          drain();
          return;
        }
        outbox.add(fullState(archivedPhase, after, false));
        drain();
      }
    }

    FullState fullState(boolean archived, String after, boolean complete) {
      ObjectNode n = JsonNodeFactory.instance.objectNode();
      n.put("v", Cursor.VERSION);
      n.put("mode", "full");
      n.put("object", options.object());
      if (complete) {
        n.put("complete", true);
      } else {
        n.put("archived", archived);
        if (after != null) {
          n.put("after", after);
        }
      }
      return new FullState(n);
    }

    // ---------------------------------------------------------------- emitting

    /** Emits what the outbox holds, with associations fetched in batches first. */
    void drain() throws IOException, InterruptedException {
      if (outbox.isEmpty()) {
        return;
      }
      List<JsonNode> raw = new ArrayList<>();
      for (Object o : outbox) {
        if (o instanceof JsonNode n) {
          raw.add(n);
        }
      }
      Map<String, Map<String, List<String>>> associations = associations(raw);
      for (Object o : outbox) {
        if (o instanceof Cursor c) {
          emitter.checkpoint(Checkpoint.of(c.toState(options.object(), options.cursorProperty())));
        } else if (o instanceof FullState f) {
          emitter.checkpoint(Checkpoint.of(f.state()));
        } else {
          JsonNode r = (JsonNode) o;
          emitter.emit(toRecord(r, associations.get(idOf(r))));
          emitted++;
          recordsRead.increment();
          if (emitted % PROGRESS_EVERY == 0) {
            context.logger().info("{}: {} {} record(s) read so far", owner, emitted, options.object());
          }
        }
      }
      outbox.clear();
    }

    /** id → (associated type → ids), through {@code POST /crm/v4/associations/{from}/{to}/batch/read}. */
    Map<String, Map<String, List<String>>> associations(List<JsonNode> records) throws IOException, InterruptedException {
      Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
      if (options.associations().isEmpty() || records.isEmpty()) {
        return out;
      }
      for (String to : options.associations()) {
        for (int i = 0; i < records.size(); i += ASSOCIATION_BATCH) {
          ObjectNode body = mapper.createObjectNode();
          ArrayNode inputs = body.putArray("inputs");
          for (JsonNode r : records.subList(i, Math.min(records.size(), i + ASSOCIATION_BATCH))) {
            inputs.addObject().put("id", idOf(r));
          }
          JsonNode answer = api.post("/crm/v4/associations/" + options.object() + "/" + to + "/batch/read", body,
              false, context);
          for (JsonNode result : answer.path("results")) {
            String fromId = result.path("from").path("id").asText();
            List<String> ids = out.computeIfAbsent(fromId, k -> new LinkedHashMap<>())
                .computeIfAbsent(to, k -> new ArrayList<>());
            for (JsonNode t : result.path("to")) {
              ids.add(t.path("toObjectId").asText());
            }
          }
        }
      }
      return out;
    }

    Record toRecord(JsonNode r, Map<String, List<String>> assoc) {
      ObjectNode data = JsonNodeFactory.instance.objectNode();
      String id = idOf(r);
      data.put("id", id);
      ObjectNode props = data.putObject("properties");
      r.path("properties").properties().forEach(e -> props.set(e.getKey(), typed(e.getKey(), e.getValue())));
      for (String f : List.of("createdAt", "updatedAt", "archivedAt")) {
        if (r.hasNonNull(f)) {
          data.set(f, r.get(f));
        }
      }
      data.put("archived", r.path("archived").asBoolean(false));
      if (!options.associations().isEmpty()) {
        ObjectNode a = data.putObject("associations");
        for (String to : options.associations()) {
          ArrayNode ids = a.putArray(to);
          if (assoc != null && assoc.get(to) != null) {
            assoc.get(to).forEach(ids::add);
          }
        }
      }
      Record.Builder b = Record.builder(id, data).attribute("hubspot.object", options.object());
      if (r.hasNonNull("updatedAt")) {
        b.attribute("hubspot.updatedAt", r.get("updatedAt").asText());
      }
      return b.build();
    }

    /** A property value with the type the properties API gives it; HubSpot sends every value as text. */
    JsonNode typed(String name, JsonNode value) {
      if (value == null || value.isNull() || !value.isTextual()) {
        return value == null ? JsonNodeFactory.instance.nullNode() : value;
      }
      String text = value.asText();
      String type = properties.getOrDefault(name, "string");
      switch (type) {
        case "number":
          if (text.isEmpty()) {
            return JsonNodeFactory.instance.nullNode();
          }
          try {
            BigDecimal d = new BigDecimal(text.trim());
            if (d.scale() <= 0 && d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0
                && d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0) {
              return JsonNodeFactory.instance.numberNode(d.longValueExact());
            }
            return JsonNodeFactory.instance.numberNode(d);
          } catch (NumberFormatException | ArithmeticException e) {
            return value; // kept as HubSpot sent it rather than lost
          }
        case "bool":
          if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return JsonNodeFactory.instance.booleanNode(Boolean.parseBoolean(text.toLowerCase()));
          }
          return text.isEmpty() ? JsonNodeFactory.instance.nullNode() : value;
        case "datetime":
          if (text.isEmpty()) {
            return JsonNodeFactory.instance.nullNode();
          }
          Long millis = parseTime(text);
          return millis == null ? value : JsonNodeFactory.instance.textNode(Instant.ofEpochMilli(millis).toString());
        case "date":
          return text.isEmpty() ? JsonNodeFactory.instance.nullNode() : value;
        default:
          return value;
      }
    }

    void reject(JsonNode r, String reason) throws InterruptedException {
      String raw = r.toString();
      emitter.reject(raw.length() > 2000 ? raw.substring(0, 2000) : raw,
          "hubspot " + options.object() + " id " + r.path("id").asText("?"), reason);
    }

    long total(JsonNode page) {
      return page.path("total").asLong(-1);
    }

    Long modified(JsonNode r) {
      JsonNode v = r.path("properties").path(options.cursorProperty());
      return v.isTextual() ? parseTime(v.asText()) : v.isNumber() ? v.asLong() : null;
    }
  }

  static Long parseTime(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      return null;
    }
    if (t.chars().allMatch(Character::isDigit)) {
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(t).toInstant().toEpochMilli();
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  static String id(JsonNode r) {
    String id = r.path("id").asText("");
    return id.isEmpty() ? null : id;
  }

  static String idOf(JsonNode r) {
    return r.path("id").asText();
  }

  /** Ids are numeric strings; compared as numbers, and as text when they are not. */
  static int compareIds(String a, String b) {
    boolean na = !a.isEmpty() && a.chars().allMatch(Character::isDigit);
    boolean nb = !b.isEmpty() && b.chars().allMatch(Character::isDigit);
    if (na && nb) {
      return new BigInteger(a).compareTo(new BigInteger(b));
    }
    return a.compareTo(b);
  }

  static String next(JsonNode page) {
    JsonNode after = page.path("paging").path("next").path("after");
    return after.isMissingNode() || after.isNull() || after.asText().isEmpty() ? null : after.asText();
  }

  static void filter(ArrayNode filters, String property, String operator, String value) {
    filters.addObject().put("propertyName", property).put("operator", operator).put("value", value);
  }

  static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
