package dev.sluice.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A local stand-in for the HubSpot CRM v3 API (com.sun.net.httpserver on 127.0.0.1), replaying the
 * documented request and response shapes. References (developers.hubspot.com):
 *
 * <ul>
 *   <li>CRM search ("Search the CRM", /docs/api/crm/search): {@code POST /crm/v3/objects/{type}/search}
 *       with {@code filterGroups} (OR of up to 5 groups, each an AND of up to 6 filters, 18 in all),
 *       one sort rule, {@code limit} up to 200, {@code after} an offset; answers {@code {"total":n,
 *       "results":[{"id","properties","createdAt","updatedAt","archived"}],"paging":{"next":{"after":"200"}}}}.
 *       Limitation: "The search endpoints are limited to 10,000 total results for any given query";
 *       paging past it answers 400. Datetime filter values are epoch milliseconds. The order of
 *       records that tie on the sort property is not documented: this stub changes it on every
 *       request, which is what an index served by several replicas can do.
 *   <li>List ("Objects", /docs/api/crm/understanding-the-crm): {@code GET /crm/v3/objects/{type}?limit=
 *       (max 100)&after=&properties=&archived=}, {@code paging.next.after} an opaque token.
 *   <li>Properties: {@code GET /crm/v3/properties/{type}} answers {@code {"results":[{"name","label",
 *       "type","fieldType",...}]}}; an unknown object type answers 400 "Unable to infer object type from: X".
 *   <li>Associations v4: {@code POST /crm/v4/associations/{from}/{to}/batch/read} with {@code inputs},
 *       answering {@code results[{from:{id},to:[{toObjectId,associationTypes}]}]}, 207 with {@code errors}
 *       for ids without associations.
 *   <li>Errors ("Error handling", "API usage guidelines"): {@code {"status":"error","message",
 *       "correlationId","category"}}; 429 adds {@code "errorType":"RATE_LIMIT"} and {@code policyName}.
 *   <li>OAuth ("OAuth tokens"): {@code POST /oauth/v1/token} form {@code grant_type=refresh_token,
 *       client_id, client_secret, refresh_token}; answers {@code {"token_type":"bearer","refresh_token",
 *       "access_token","expires_in":1800}}; a bad refresh token answers 400 {@code invalid_grant}.
 * </ul>
 */
final class HubSpotStub implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  static final int CAP = 10_000;

  /** One request as received. */
  record Seen(String method, String path, String query, JsonNode body, String authorization, String form) {}

  /** A scripted answer for the next request that matches. */
  record Fault(Predicate<Seen> matches, int status, Map<String, String> headers, String body) {}

  private final HttpServer server;
  final Map<String, Map<String, ObjectNode>> objects = new ConcurrentHashMap<>();
  final Map<String, Map<String, String>> propertyTypes = new ConcurrentHashMap<>();
  final Map<String, Map<String, List<String>>> associations = new ConcurrentHashMap<>();
  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final ConcurrentLinkedDeque<Fault> faults = new ConcurrentLinkedDeque<>();
  final Set<String> acceptedTokens = ConcurrentHashMap.newKeySet();
  final Set<String> missingScopes = ConcurrentHashMap.newKeySet();
  final AtomicInteger searchRequests = new AtomicInteger();
  final AtomicInteger pagesPastCap = new AtomicInteger();
  volatile boolean shuffleTies = true;
  /** Called with each API request before it is answered (e.g. to look at the secret store then). */
  volatile Consumer<Seen> onApiRequest = s -> {};

  // OAuth
  volatile String clientId = "client-1";
  volatile String clientSecret = "client-secret-value-9";
  volatile String currentRefreshToken;
  volatile boolean rotateRefreshTokens = true;
  final AtomicInteger tokensIssued = new AtomicInteger();

  HubSpotStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Declares the properties of {@code object} (name → HubSpot type) and makes it exist. */
  HubSpotStub object(String object, Map<String, String> types) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("hs_object_id", "number");
    all.put("createdate", "datetime");
    all.put(object.equals("contacts") ? "lastmodifieddate" : "hs_lastmodifieddate", "datetime");
    all.putAll(types);
    propertyTypes.put(object, all);
    objects.putIfAbsent(object, new ConcurrentHashMap<>());
    return this;
  }

  static String cursorProperty(String object) {
    return object.equals("contacts") ? "lastmodifieddate" : "hs_lastmodifieddate";
  }

  /** Adds or replaces a record; property values are stored as HubSpot sends them: text. */
  ObjectNode put(String object, long id, long modifiedMillis, Map<String, String> props) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", Long.toString(id));
    ObjectNode p = r.putObject("properties");
    p.put("hs_object_id", Long.toString(id));
    p.put("createdate", Instant.ofEpochMilli(1_600_000_000_000L).toString());
    p.put(cursorProperty(object), Instant.ofEpochMilli(modifiedMillis).toString());
    props.forEach(p::put);
    r.put("createdAt", Instant.ofEpochMilli(1_600_000_000_000L).toString());
    r.put("updatedAt", Instant.ofEpochMilli(modifiedMillis).toString());
    r.put("archived", false);
    objects.computeIfAbsent(object, k -> new ConcurrentHashMap<>()).put(Long.toString(id), r);
    return r;
  }

  void fault(Predicate<Seen> matches, int status, Map<String, String> headers, String body) {
    faults.add(new Fault(matches, status, headers, body));
  }

  static Predicate<Seen> searches() {
    return s -> s.path().endsWith("/search");
  }

  static Predicate<Seen> any() {
    return s -> !s.path().startsWith("/oauth");
  }

  static String error(String message, String category) {
    return "{\"status\":\"error\",\"message\":\"" + message + "\",\"correlationId\":\"3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd\","
        + "\"category\":\"" + category + "\"}";
  }

  /** A 429 body as HubSpot documents it. */
  static String rateLimited(String message, String policy) {
    return "{\"status\":\"error\",\"message\":\"" + message + "\",\"errorType\":\"RATE_LIMIT\","
        + "\"correlationId\":\"c033cdaa-2c40-4a64-ae48-b4cec88dad24\",\"policyName\":\"" + policy + "\","
        + "\"requestId\":\"3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd\"}";
  }

  List<Seen> searchesSeen() {
    return seen.stream().filter(s -> s.path().endsWith("/search")).toList();
  }

  // ------------------------------------------------------------------ handling

  private void handle(HttpExchange ex) throws IOException {
    try {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      byte[] raw = ex.getRequestBody().readAllBytes();
      String text = new String(raw, StandardCharsets.UTF_8);
      String contentType = ex.getRequestHeaders().getFirst("Content-Type");
      boolean form = contentType != null && contentType.startsWith("application/x-www-form-urlencoded");
      JsonNode body = !form && !text.isBlank() ? JSON.readTree(text) : null;
      Seen s = new Seen(method, path, query, body, ex.getRequestHeaders().getFirst("Authorization"), form ? text : null);
      seen.add(s);
      if (path.equals("/oauth/v1/token")) {
        token(ex, text);
        return;
      }
      onApiRequest.accept(s);
      for (Fault f : faults) {
        if (f.matches().test(s) && faults.remove(f)) {
          f.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
          send(ex, f.status(), f.body());
          return;
        }
      }
      String auth = s.authorization();
      if (auth == null || !auth.startsWith("Bearer ") || !acceptedTokens.contains(auth.substring(7))) {
        send(ex, 401, error("Authentication credentials not found. This API supports OAuth 2.0 authentication and you"
            + " can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            "INVALID_AUTHENTICATION"));
        return;
      }
      String[] parts = path.split("/");
      if (path.startsWith("/crm/v3/properties/") && method.equals("GET")) {
        properties(ex, parts[4]);
      } else if (path.startsWith("/crm/v3/objects/") && parts.length == 6 && parts[5].equals("search") && method.equals("POST")) {
        searchRequests.incrementAndGet();
        search(ex, parts[4], body);
      } else if (path.startsWith("/crm/v3/objects/") && parts.length == 5 && method.equals("GET")) {
        list(ex, parts[4], params(query));
      } else if (path.startsWith("/crm/v4/associations/") && path.endsWith("/batch/read") && method.equals("POST")) {
        associations(ex, parts[4], parts[5], body);
      } else {
        send(ex, 404, error("Resource not found", "OBJECT_NOT_FOUND"));
      }
    } catch (RuntimeException e) {
      send(ex, 500, error("stub failure: " + e, "INTERNAL_ERROR"));
      throw e;
    } finally {
      ex.close();
    }
  }

  private boolean knownObject(HttpExchange ex, String object) throws IOException {
    if (!propertyTypes.containsKey(object)) {
      send(ex, 400, error("Unable to infer object type from: " + object, "VALIDATION_ERROR"));
      return false;
    }
    if (missingScopes.contains(object)) {
      send(ex, 403, "{\"status\":\"error\",\"message\":\"This app hasn't been granted all required scopes to make this"
          + " call. Read more about required scopes here: https://developers.hubspot.com/scopes.\",\"correlationId\":"
          + "\"a43683b0-5717-4ceb-80b4-104d02915d8c\",\"errors\":[{\"message\":\"One or more of the following scopes"
          + " are required.\",\"context\":{\"requiredGranularScopes\":[\"crm.objects." + object + ".read\"]}}],"
          + "\"links\":{\"scopes\":\"https://developers.hubspot.com/scopes\"},\"category\":\"MISSING_SCOPES\"}");
      return false;
    }
    return true;
  }

  private void properties(HttpExchange ex, String object) throws IOException {
    if (!knownObject(ex, object)) {
      return;
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode results = out.putArray("results");
    propertyTypes.get(object).forEach((name, type) -> results.addObject()
        .put("name", name).put("label", name).put("type", type)
        .put("fieldType", type.equals("number") ? "number" : type.equals("bool") ? "booleancheckbox" : "text")
        .put("groupName", object + "information").put("hidden", false));
    send(ex, 200, out.toString());
  }

  private void search(HttpExchange ex, String object, JsonNode body) throws IOException {
    if (!knownObject(ex, object)) {
      return;
    }
    int limit = body.path("limit").asInt(10);
    if (limit > 200) {
      send(ex, 400, error("limit must be at most 200", "VALIDATION_ERROR"));
      return;
    }
    JsonNode groups = body.path("filterGroups");
    int total = 0;
    for (JsonNode g : groups) {
      total += g.path("filters").size();
      if (g.path("filters").size() > 6) {
        send(ex, 400, error("Too many filters in a filter group: at most 6", "VALIDATION_ERROR"));
        return;
      }
    }
    if (groups.size() > 5 || total > 18) {
      send(ex, 400, error("Too many filter groups or filters: at most 5 groups and 18 filters", "VALIDATION_ERROR"));
      return;
    }
    if (body.path("sorts").size() > 1) {
      send(ex, 400, error("Only one sort is allowed", "VALIDATION_ERROR"));
      return;
    }
    int offset = body.hasNonNull("after") ? Integer.parseInt(body.get("after").asText()) : 0;
    if (offset + limit > CAP) {
      pagesPastCap.incrementAndGet();
      send(ex, 400, error("The search API returns at most 10000 results per query; page past it refused (after="
          + offset + ")", "VALIDATION_ERROR"));
      return;
    }
    List<ObjectNode> matched = new ArrayList<>();
    for (ObjectNode r : objects.get(object).values()) {
      if (!r.path("archived").asBoolean() && matches(r, groups)) {
        matched.add(r);
      }
    }
    int totalMatched = -1;
    int request = searchRequests.get();
    JsonNode sort = body.path("sorts").path(0);
    if (!sort.isMissingNode()) {
      String prop = sort.path("propertyName").asText();
      boolean descending = sort.path("direction").asText().equals("DESCENDING");
      // Decorate once: sort key, then a tie key that changes from request to request.
      Map<ObjectNode, java.math.BigDecimal> keys = new java.util.IdentityHashMap<>();
      Map<ObjectNode, Long> ties = new java.util.IdentityHashMap<>();
      for (ObjectNode r : matched) {
        keys.put(r, numeric(r.path("properties").path(prop).asText()));
        long id = Long.parseLong(r.path("id").asText());
        ties.put(r, shuffleTies ? mix(id ^ (request * 0x9E3779B97F4A7C15L)) : id);
      }
      Comparator<ObjectNode> c = Comparator.comparing(keys::get);
      if (descending) {
        c = c.reversed();
      }
      Comparator<ObjectNode> order = c.thenComparing(ties::get);
      int needed = Math.min(matched.size(), Math.min(CAP, Math.max(0, offset) + limit));
      if (needed < matched.size() / 4) {
        // Only the first `needed` in order matter: select them with a bounded heap, then sort those.
        java.util.PriorityQueue<ObjectNode> heap = new java.util.PriorityQueue<>(needed + 1, order.reversed());
        for (ObjectNode r : matched) {
          heap.add(r);
          if (heap.size() > needed) {
            heap.poll();
          }
        }
        List<ObjectNode> top = new ArrayList<>(heap);
        top.sort(order);
        int all = matched.size();
        matched = top;
        totalMatched = all;
      } else {
        matched.sort(order);
      }
    }
    List<String> wanted = new ArrayList<>();
    body.path("properties").forEach(p -> wanted.add(p.asText()));
    ObjectNode out = JSON.createObjectNode();
    int size = totalMatched >= 0 ? totalMatched : matched.size();
    out.put("total", size);
    ArrayNode results = out.putArray("results");
    int end = Math.min(Math.min(size, offset + limit), CAP);
    for (int i = offset; i < end; i++) {
      results.add(project(matched.get(i), wanted));
    }
    if (end < size) { // also at 10,000: HubSpot offers the next page, then refuses it with 400
      out.putObject("paging").putObject("next").put("after", Integer.toString(end));
    }
    send(ex, 200, out.toString());
  }

  private void list(HttpExchange ex, String object, Map<String, String> params) throws IOException {
    if (!knownObject(ex, object)) {
      return;
    }
    int limit = Integer.parseInt(params.getOrDefault("limit", "10"));
    if (limit > 100) {
      send(ex, 400, error("limit must be at most 100", "VALIDATION_ERROR"));
      return;
    }
    boolean archived = Boolean.parseBoolean(params.getOrDefault("archived", "false"));
    int offset = params.containsKey("after")
        ? Integer.parseInt(new String(Base64.getDecoder().decode(params.get("after")), StandardCharsets.UTF_8)) : 0;
    List<ObjectNode> matched = new ArrayList<>();
    for (ObjectNode r : objects.get(object).values()) {
      if (r.path("archived").asBoolean() == archived) {
        matched.add(r);
      }
    }
    matched.sort(Comparator.comparing(r -> Long.parseLong(r.path("id").asText())));
    List<String> wanted = params.containsKey("properties") ? List.of(params.get("properties").split(",")) : List.of();
    ObjectNode out = JSON.createObjectNode();
    ArrayNode results = out.putArray("results");
    int end = Math.min(matched.size(), offset + limit);
    for (int i = offset; i < end; i++) {
      results.add(project(matched.get(i), wanted));
    }
    if (end < matched.size()) {
      String token = Base64.getEncoder().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8));
      out.putObject("paging").putObject("next").put("after", token)
          .put("link", baseUrl() + "/crm/v3/objects/" + object + "?after=" + token);
    }
    send(ex, 200, out.toString());
  }

  private void associations(HttpExchange ex, String from, String to, JsonNode body) throws IOException {
    if (!knownObject(ex, from) || !knownObject(ex, to)) {
      return;
    }
    Map<String, List<String>> links = associations.getOrDefault(from + ":" + to, Map.of());
    ObjectNode out = JSON.createObjectNode();
    out.put("status", "COMPLETE");
    ArrayNode results = out.putArray("results");
    ArrayNode errors = JSON.createArrayNode();
    for (JsonNode input : body.path("inputs")) {
      String id = input.path("id").asText();
      List<String> targets = links.get(id);
      if (targets == null || targets.isEmpty()) {
        ObjectNode e = errors.addObject();
        e.put("status", "error").put("category", "OBJECT_NOT_FOUND")
            .put("message", "No " + to + " is associated with " + from + " " + id + ".");
        e.putObject("context").putArray("fromObjectId").add(id);
        continue;
      }
      ObjectNode r = results.addObject();
      r.putObject("from").put("id", id);
      ArrayNode t = r.putArray("to");
      for (String target : targets) {
        ObjectNode o = t.addObject();
        o.put("toObjectId", Long.parseLong(target));
        o.putArray("associationTypes").addObject().put("category", "HUBSPOT_DEFINED").put("typeId", 5).putNull("label");
      }
    }
    out.put("startedAt", "2024-01-01T00:00:00.000Z").put("completedAt", "2024-01-01T00:00:00.100Z");
    if (!errors.isEmpty()) {
      out.put("numErrors", errors.size());
      out.set("errors", errors);
    }
    send(ex, errors.isEmpty() ? 200 : 207, out.toString());
  }

  private void token(HttpExchange ex, String text) throws IOException {
    Map<String, String> form = params(text);
    if (!"refresh_token".equals(form.get("grant_type")) || !clientId.equals(form.get("client_id"))
        || !clientSecret.equals(form.get("client_secret"))) {
      send(ex, 400, "{\"status\":\"BAD_CLIENT_ID\",\"message\":\"missing or unknown client id\",\"error\":\"invalid_client\"}");
      return;
    }
    if (currentRefreshToken == null || !currentRefreshToken.equals(form.get("refresh_token"))) {
      send(ex, 400, "{\"status\":\"BAD_REFRESH_TOKEN\",\"message\":\"missing or unknown refresh token\","
          + "\"error\":\"invalid_grant\",\"error_description\":\"missing or unknown refresh token\"}");
      return;
    }
    int n = tokensIssued.incrementAndGet();
    String access = "access-token-" + n + "-secretvalue";
    acceptedTokens.add(access);
    if (rotateRefreshTokens) {
      currentRefreshToken = "refresh-token-" + (n + 1) + "-secretvalue";
    }
    send(ex, 200, "{\"token_type\":\"bearer\",\"refresh_token\":\"" + currentRefreshToken + "\",\"access_token\":\""
        + access + "\",\"expires_in\":1800}");
  }

  // ------------------------------------------------------------------ helpers

  private boolean matches(ObjectNode r, JsonNode groups) {
    if (groups.isEmpty()) {
      return true;
    }
    for (JsonNode g : groups) {
      boolean all = true;
      for (JsonNode f : g.path("filters")) {
        JsonNode v = r.path("properties").path(f.path("propertyName").asText());
        if (!test(v.isMissingNode() || v.isNull() ? null : v.asText(), f.path("operator").asText(), f.path("value").asText())) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static boolean test(String actual, String op, String value) {
    if (op.equals("HAS_PROPERTY")) {
      return actual != null;
    }
    if (actual == null) {
      return op.equals("NEQ");
    }
    int c = numeric(actual).compareTo(numeric(value));
    switch (op) {
      case "EQ": return c == 0;
      case "NEQ": return c != 0;
      case "GT": return c > 0;
      case "GTE": return c >= 0;
      case "LT": return c < 0;
      case "LTE": return c <= 0;
      default: throw new IllegalArgumentException("operator " + op);
    }
  }

  /** Numbers, and datetimes as epoch milliseconds (HubSpot accepts both in filters). */
  private static final Map<String, java.math.BigDecimal> NUMERIC = new ConcurrentHashMap<>();

  static java.math.BigDecimal numeric(String s) {
    return NUMERIC.computeIfAbsent(s, HubSpotStub::parseNumeric);
  }

  private static java.math.BigDecimal parseNumeric(String s) {
    return s.indexOf('T') > 0 ? java.math.BigDecimal.valueOf(Instant.parse(s).toEpochMilli()) : new java.math.BigDecimal(s);
  }

  /** SplitMix64's finalizer: a well-spread hash, so tie orders really differ between requests. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static ObjectNode project(ObjectNode r, List<String> wanted) {
    ObjectNode copy = r.deepCopy();
    if (!wanted.isEmpty()) {
      ObjectNode p = JSON.createObjectNode();
      for (String w : wanted) {
        JsonNode v = r.path("properties").get(w);
        p.set(w, v == null ? JSON.nullNode() : v);
      }
      copy.set("properties", p);
    }
    return copy;
  }

  static Map<String, String> params(String query) {
    Map<String, String> out = new HashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
