package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.store.Store;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API over real HTTP against a server on a random port, on the store a subclass gives
 * (JDBC on H2 and on PostgreSQL).
 */
abstract class RestApiContract {
  static final String OPERATOR = BuiltInRoles.OPERATOR;
  static final String ADMIN = BuiltInRoles.ADMIN;
  static final String VIEWER = BuiltInRoles.VIEWER;

  @TempDir Path dir;
  Fixture f;

  protected abstract Store createStore(Path dir);

  @BeforeEach
  void start() throws Exception {
    f = new Fixture(createStore(dir), dir);
  }

  @AfterEach
  void stop() {
    if (f != null) {
      f.close();
    }
  }

  @Test
  void healthIsUpWithoutCredentials() {
    HttpResponse<String> live = f.get("/health/live", null);
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(Fixture.json(live).path("status").asText()).isEqualTo("UP");
    HttpResponse<String> ready = f.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(Fixture.json(ready).path("checks").path("store").asText()).isEqualTo("UP");
    assertThat(Fixture.json(ready).path("checks").path("scheduler").asText()).isEqualTo("UP");
  }

  @Test
  void triggeredRunIsListedWithCountersAndDeadLetterCanBeReplayed() throws Exception {
    HttpResponse<String> trigger = f.call("POST", "/api/v1/pipelines/orders/runs", OPERATOR,
        "{\"parameters\":{\"note\":\"from the test\"}}");
    assertThat(trigger.statusCode()).isEqualTo(202);
    String id = Fixture.json(trigger).path("id").asText();
    assertThat(trigger.headers().firstValue("Location")).contains("/api/v1/runs/" + id);
    f.sluice.activeRun(id).ifPresent(h -> {
      try {
        h.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });

    JsonNode run = Fixture.json(f.get("/api/v1/runs/" + id, VIEWER));
    assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.path("recordsRead").asLong()).isEqualTo(5);
    assertThat(run.path("recordsDeadLettered").asLong()).isEqualTo(1);
    assertThat(run.path("counters").path("ruleMatches").path("big").asLong()).isEqualTo(3);
    assertThat(run.path("counters").path("destinations").path("big").path("deadLettered").asLong()).isEqualTo(1);
    assertThat(run.path("counters").path("destinations").path("all").path("delivered").asLong()).isEqualTo(5);

    JsonNode pipelines = Fixture.json(f.get("/api/v1/pipelines", VIEWER));
    JsonNode orders = null;
    for (JsonNode p : pipelines.path("items")) {
      if (p.path("name").asText().equals("orders")) {
        orders = p;
      }
    }
    assertThat(orders).isNotNull();
    assertThat(orders.path("lastRun").path("id").asText()).isEqualTo(id);
    assertThat(orders.path("lastRun").path("status").asText()).isEqualTo("SUCCEEDED");

    JsonNode letters = Fixture.json(f.get("/api/v1/dead-letters?pipeline=orders", VIEWER));
    assertThat(letters.path("total").asLong()).isEqualTo(1);
    JsonNode letter = letters.path("items").get(0);
    assertThat(letter.path("destination").asText()).isEqualTo("big");
    assertThat(letter.path("reason").asText()).contains("refused o3");
    long letterId = letter.path("id").asLong();
    JsonNode detail = Fixture.json(f.get("/api/v1/dead-letters/" + letterId, VIEWER));
    assertThat(detail.path("record").toString()).contains("o3");

    // Still failing: kept, with the attempts added up.
    JsonNode again = Fixture.json(f.call("POST", "/api/v1/dead-letters/" + letterId + "/replay", OPERATOR, null));
    assertThat(again.path("failedAgain").asLong()).isEqualTo(1);
    assertThat(f.get("/api/v1/dead-letters/" + letterId, VIEWER).statusCode()).isEqualTo(200);

    f.bigFails.set(false);
    JsonNode replay = Fixture.json(f.call("POST", "/api/v1/dead-letters/replay", OPERATOR, "{\"pipeline\":\"orders\"}"));
    assertThat(replay.path("selected").asLong()).isEqualTo(1);
    assertThat(replay.path("delivered").asLong()).isEqualTo(1);
    assertThat(f.get("/api/v1/dead-letters/" + letterId, VIEWER).statusCode()).isEqualTo(404);
    assertThat(f.delivered).anyMatch(r -> r.data().path("id").asText().equals("o3"));
  }

  @Test
  void purgeBySelectionNeedsAnExplicitChoiceAndDeletes() throws Exception {
    f.runOrders();
    HttpResponse<String> none = f.call("POST", "/api/v1/dead-letters/purge", OPERATOR, "{}");
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(Fixture.json(none).path("detail").asText()).contains("all");
    HttpResponse<String> purged = f.call("POST", "/api/v1/dead-letters/purge", OPERATOR, "{\"all\":true}");
    assertThat(Fixture.json(purged).path("purged").asLong()).isEqualTo(1);
    assertThat(Fixture.json(f.get("/api/v1/dead-letters", VIEWER)).path("total").asLong()).isZero();
  }

  @Test
  void runsArePagedWithCursorsAndFiltered() throws Exception {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      ids.add(f.runOrders());
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      String path = "/api/v1/runs?pipeline=orders&limit=2" + (cursor == null ? "" : "&cursor=" + cursor);
      JsonNode page = Fixture.json(f.get(path, VIEWER));
      page.path("items").forEach(r -> seen.add(r.path("id").asText()));
      assertThat(page.path("items").size()).isLessThanOrEqualTo(2);
      cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(5).doesNotHaveDuplicates();
    assertThat(new HashSet<>(seen)).isEqualTo(ids);

    assertThat(Fixture.json(f.get("/api/v1/runs?status=FAILED", VIEWER)).path("items").size()).isZero();
    assertThat(Fixture.json(f.get("/api/v1/runs?status=succeeded&pipeline=orders", VIEWER)).path("items").size())
        .isEqualTo(5);
    assertThat(Fixture.json(f.get("/api/v1/runs?until=2000-01-01T00:00:00Z", VIEWER)).path("items").size()).isZero();
    HttpResponse<String> bad = f.get("/api/v1/runs?status=DONE", VIEWER);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Fixture.json(bad).path("detail").asText()).contains("DONE");
    assertThat(f.get("/api/v1/runs?cursor=nonsense", VIEWER).statusCode()).isEqualTo(400);
  }

  @Test
  void pipelineDocumentsUseEtagsAndStaleUpdatesAre412() {
    String spec = "{\"source\":{\"type\":\"file\",\"path\":\"in.jsonl\"},\"rules\":[{\"name\":\"r\",\"to\":[\"all\"]}]}";
    HttpResponse<String> created = f.call("POST", "/api/v1/pipelines", ADMIN, "{\"name\":\"stored\",\"spec\":" + spec + "}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(created.headers().firstValue("ETag")).contains("\"1\"");
    assertThat(f.call("POST", "/api/v1/pipelines", ADMIN, "{\"name\":\"stored\",\"spec\":" + spec + "}").statusCode())
        .isEqualTo(409);

    HttpResponse<String> got = f.get("/api/v1/pipelines/stored", VIEWER);
    assertThat(got.statusCode()).isEqualTo(200);
    String etag = got.headers().firstValue("ETag").orElseThrow();

    String changed = spec.replace("in.jsonl", "in2.jsonl");
    HttpResponse<String> noPrecondition = f.call("PUT", "/api/v1/pipelines/stored", ADMIN, "{\"spec\":" + changed + "}");
    assertThat(noPrecondition.statusCode()).isEqualTo(428);
    HttpResponse<String> updated = f.call("PUT", "/api/v1/pipelines/stored", ADMIN, "{\"spec\":" + changed + "}",
        "If-Match", etag);
    assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
    assertThat(updated.headers().firstValue("ETag")).contains("\"2\"");
    // A second writer still holding version 1 loses, and nothing is overwritten.
    HttpResponse<String> stale = f.call("PUT", "/api/v1/pipelines/stored", ADMIN,
        "{\"spec\":" + spec.replace("in.jsonl", "lost.jsonl") + "}", "If-Match", etag);
    assertThat(stale.statusCode()).isEqualTo(412);
    assertThat(stale.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(Fixture.json(f.get("/api/v1/pipelines/stored", VIEWER)).path("spec").toString()).contains("in2.jsonl");

    assertThat(f.call("DELETE", "/api/v1/pipelines/stored", ADMIN, null, "If-Match", etag).statusCode()).isEqualTo(412);
    assertThat(f.call("DELETE", "/api/v1/pipelines/stored", ADMIN, null, "If-Match", "\"2\"").statusCode()).isEqualTo(204);
    assertThat(f.get("/api/v1/pipelines/stored", VIEWER).statusCode()).isEqualTo(404);
  }

  @Test
  void invalidPipelinesAreRefusedWithTheProblemsTheCliReports() {
    String bad = "{\"name\":\"broken\",\"spec\":{\"source\":{\"type\":\"file\",\"path\":\"x.jsonl\"},"
        + "\"rules\":[{\"name\":\"r\",\"when\":\"$.amount =>> 3\",\"to\":[\"nowhere\"]}]}}";
    JsonNode verdict = Fixture.json(f.call("POST", "/api/v1/pipelines/validate", VIEWER, bad));
    assertThat(verdict.path("valid").asBoolean()).isFalse();
    assertThat(verdict.path("problems").size()).isGreaterThanOrEqualTo(1);
    JsonNode first = verdict.path("problems").get(0);
    assertThat(first.path("pointer").asText()).startsWith("/pipelines/broken");
    assertThat(first.path("line").asInt()).isPositive();
    assertThat(first.path("text").asText()).matches("pipelines/broken\\.json:\\d+:\\d+ /pipelines/broken.*");

    HttpResponse<String> create = f.call("POST", "/api/v1/pipelines", ADMIN, bad);
    assertThat(create.statusCode()).isEqualTo(422);
    assertThat(Fixture.json(create).path("problems").size()).isGreaterThanOrEqualTo(1);

    String good = "{\"name\":\"fine\",\"spec\":{\"source\":{\"type\":\"file\",\"path\":\"x.jsonl\"},"
        + "\"rules\":[{\"name\":\"r\",\"to\":[\"all\"]}]}}";
    JsonNode ok = Fixture.json(f.call("POST", "/api/v1/pipelines/validate", VIEWER, good));
    assertThat(ok.path("valid").asBoolean()).as(ok.toString()).isTrue();

    HttpResponse<String> yaml = f.call("POST", "/api/v1/config/validate?file=sluice.yaml", VIEWER,
        "pipelines:\n  p:\n    source: { type: nosuch }\n", "Content-Type", "application/yaml");
    JsonNode yamlVerdict = Fixture.json(yaml);
    assertThat(yamlVerdict.path("valid").asBoolean()).isFalse();
    assertThat(yamlVerdict.path("problems").get(0).path("text").asText()).startsWith("sluice.yaml:3:");

    JsonNode fileRef = Fixture.json(f.call("POST", "/api/v1/config/validate", VIEWER,
        "store: { jdbc: x }\nsecrets: { key: \"${file:/etc/hostname}\" }\n", "Content-Type", "application/yaml"));
    assertThat(fileRef.path("valid").asBoolean()).isFalse();
    assertThat(fileRef.path("problems").get(0).path("text").asText()).startsWith("sluice.yaml:2:")
        .contains("not resolved by the REST API");
  }

  @Test
  void checkpointResetNeedsTheVersionAsConfirmation() throws Exception {
    f.runOrders();
    HttpResponse<String> cp = f.get("/api/v1/pipelines/orders/checkpoint", VIEWER);
    assertThat(cp.statusCode()).isEqualTo(200);
    JsonNode body = Fixture.json(cp);
    assertThat(body.path("checkpoint").isNull()).isFalse();
    String etag = cp.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).isEqualTo("\"" + body.path("version").asLong() + "\"");

    assertThat(f.call("DELETE", "/api/v1/pipelines/orders/checkpoint", OPERATOR, null).statusCode()).isEqualTo(428);
    assertThat(f.call("DELETE", "/api/v1/pipelines/orders/checkpoint", OPERATOR, null, "If-Match", "\"999\"")
        .statusCode()).isEqualTo(412);
    assertThat(f.call("DELETE", "/api/v1/pipelines/orders/checkpoint", OPERATOR, null, "If-Match", etag).statusCode())
        .isEqualTo(204);
    JsonNode after = Fixture.json(f.get("/api/v1/pipelines/orders/checkpoint", VIEWER));
    assertThat(after.path("checkpoint").isNull()).isTrue();
    assertThat(after.path("version").asLong()).isZero();
  }

  @Test
  void previewShowsTheRuleTraceWithoutDelivering() {
    int before = f.delivered.size();
    HttpResponse<String> r = f.call("POST", "/api/v1/pipelines/orders/preview", VIEWER,
        "{\"records\":[{\"id\":\"x\",\"amount\":500},{\"id\":\"y\",\"amount\":1}],\"keyField\":\"id\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode traces = Fixture.json(r).path("traces");
    assertThat(traces.size()).isEqualTo(2);
    assertThat(traces.get(0).toString()).contains("big");
    assertThat(traces.get(0).path("text").asText()).contains("big");
    assertThat(f.delivered).hasSize(before);
  }

  @Test
  void unknownFieldsAreRefusedByNameAndPointer() {
    HttpResponse<String> r = f.call("POST", "/api/v1/pipelines/orders/runs", OPERATOR, "{\"parameters\":{},\"priority\":1}");
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode p = Fixture.json(r);
    assertThat(p.path("type").asText()).isEqualTo("https://sluice.dev/problems/unknown-field");
    assertThat(p.path("detail").asText()).contains("'priority'").contains("parameters");

    HttpResponse<String> malformed = f.call("POST", "/api/v1/dead-letters/replay", OPERATOR, "{\"all\": tru");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(Fixture.json(malformed).path("detail").asText()).contains("line 1");
    HttpResponse<String> wrongType = f.call("POST", "/api/v1/dead-letters/replay", OPERATOR, "{\"all\": [1]}");
    assertThat(wrongType.statusCode()).isEqualTo(400);
    assertThat(Fixture.json(wrongType).path("detail").asText()).contains("/all");
    HttpResponse<String> notJson = f.call("POST", "/api/v1/dead-letters/replay", OPERATOR, "all=true",
        "Content-Type", "application/x-www-form-urlencoded");
    assertThat(notJson.statusCode()).isEqualTo(415);
  }

  @Test
  void oversizedBodiesAre413() {
    String big = "{\"parameters\":{\"x\":\"" + "a".repeat(70 * 1024) + "\"}}";
    HttpResponse<String> r = f.call("POST", "/api/v1/pipelines/orders/runs", OPERATOR, big);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(Fixture.json(r).path("type").asText()).isEqualTo("https://sluice.dev/problems/too-large");
  }

  @Test
  void problemsFollowRfc9457() {
    HttpResponse<String> r = f.get("/api/v1/runs/no-such-run", VIEWER);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    JsonNode p = Fixture.json(r);
    assertThat(p.path("type").asText()).isEqualTo("https://sluice.dev/problems/unknown-run");
    assertThat(p.path("title").asText()).isNotBlank();
    assertThat(p.path("status").asInt()).isEqualTo(404);
    assertThat(p.path("detail").asText()).contains("no-such-run");
    assertThat(p.path("instance").asText()).isEqualTo("/api/v1/runs/no-such-run");

    HttpResponse<String> unknownRoute = f.get("/api/v1/nothing-here", VIEWER);
    assertThat(unknownRoute.statusCode()).isEqualTo(404);
    assertThat(Fixture.json(unknownRoute).path("type").asText()).isEqualTo("https://sluice.dev/problems/not-found");

    HttpResponse<String> anonymous = f.get("/api/v1/runs", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"sluice\"");
    assertThat(Fixture.json(anonymous).path("type").asText()).isEqualTo("https://sluice.dev/problems/unauthorized");

    HttpResponse<String> rejected = f.get("/api/v1/runs", "not-a-token");
    assertThat(rejected.statusCode()).isEqualTo(401);
    assertThat(Fixture.json(rejected).path("detail").asText()).contains("rejected").doesNotContain("not-a-token");

    HttpResponse<String> forbidden = f.call("POST", "/api/v1/pipelines/orders/runs", VIEWER, null);
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(Fixture.json(forbidden).path("permission").asText()).isEqualTo("runs:trigger");
  }

  @Test
  void secretsAreNeverReturned() throws Exception {
    String value = "s3cr3t-" + java.util.UUID.randomUUID();
    HttpResponse<String> put = f.call("PUT", "/api/v1/secrets/hubspot_token", ADMIN, "{\"value\":\"" + value + "\"}");
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(put.body()).doesNotContain(value);
    assertThat(f.call("PUT", "/api/v1/secrets/hubspot_token", ADMIN, "{\"value\":\"" + value + "x\"}").statusCode())
        .isEqualTo(204);
    HttpResponse<String> list = f.get("/api/v1/secrets", OPERATOR);
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).contains("hubspot_token").doesNotContain(value);
    assertThat(f.call("PUT", "/api/v1/secrets/x", OPERATOR, "{\"value\":\"v\"}").statusCode()).isEqualTo(403);

    // A stored pipeline with a literal secret: masked on the way out, kept when sent back masked.
    String spec = "{\"source\":{\"type\":\"http\",\"url\":\"https://example.invalid/x\",\"token\":\"" + value
        + "\"},\"rules\":[{\"name\":\"r\",\"to\":[\"all\"]}]}";
    f.store.pipelines().orElseThrow().put(dev.sluice.store.ConfigDocument.Kind.PIPELINE, "withsecret",
        (com.fasterxml.jackson.databind.node.ObjectNode) Fixture.JSON.readTree(spec), 0);
    HttpResponse<String> got = f.get("/api/v1/pipelines/withsecret", VIEWER);
    assertThat(got.body()).doesNotContain(value).contains("********");
    HttpResponse<String> all = f.get("/api/v1/pipelines", VIEWER);
    assertThat(all.body()).doesNotContain(value);

    assertThat(f.call("DELETE", "/api/v1/secrets/hubspot_token", ADMIN, null).statusCode()).isEqualTo(204);
    assertThat(f.call("DELETE", "/api/v1/secrets/hubspot_token", ADMIN, null).statusCode()).isEqualTo(404);
  }

  @Test
  void webhookSignaturesAreChecked() throws Exception {
    byte[] body = "{\"id\":\"w1\",\"amount\":7}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> unsigned = f.call("POST", Fixture.WEBHOOK_PATH, null, new String(body, StandardCharsets.UTF_8));
    assertThat(unsigned.statusCode()).isEqualTo(401);
    HttpResponse<String> forged = f.call("POST", Fixture.WEBHOOK_PATH, null, new String(body, StandardCharsets.UTF_8),
        "X-Signature", f.hmac("{\"id\":\"other\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).doesNotContain(f.webhookSecret);

    HttpResponse<String> signed = f.call("POST", Fixture.WEBHOOK_PATH, null, new String(body, StandardCharsets.UTF_8),
        "X-Signature", f.hmac(body));
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(202);
    String runId = Fixture.json(signed).path("runId").asText();
    assertThat(runId).isNotBlank();
    f.sluice.activeRun(runId).ifPresent(h -> {
      try {
        h.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertThat(f.delivered).anyMatch(r -> r.data().path("id").asText().equals("w1"));
    HttpResponse<String> replayed = f.call("POST", Fixture.WEBHOOK_PATH, null, new String(body, StandardCharsets.UTF_8),
        "X-Signature", f.hmac(body));
    assertThat(replayed.statusCode()).isEqualTo(200);
    assertThat(replayed.body()).contains("duplicate");

    String huge = "{\"id\":\"" + "x".repeat(dev.sluice.schedule.WebhookTrigger.DEFAULT_MAX_BODY_BYTES) + "\"}";
    HttpResponse<String> tooLarge = f.call("POST", Fixture.WEBHOOK_PATH, null, huge,
        "X-Signature", f.hmac(huge.getBytes(StandardCharsets.UTF_8)));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(f.call("GET", Fixture.WEBHOOK_PATH, null, null).statusCode()).isIn(404, 405);
  }

  @Test
  void securityHeadersOnApiAndStaticAssets() {
    for (String path : List.of("/api/v1/runs", "/", "/docs", "/health/live")) {
      HttpResponse<String> r = f.get(path, VIEWER);
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertThat(csp).as(path).contains("frame-ancestors 'none'").contains("script-src 'self'")
          .doesNotContain("unsafe-inline");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(path).contains("no-referrer");
      assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(path).isEmpty();
    }
    HttpResponse<String> index = f.get("/", null);
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body()).contains("Sluice");
    HttpResponse<String> docs = f.get("/docs", null);
    assertThat(docs.body()).contains("swagger-init.js").doesNotContain("<script>");
    assertThat(f.get("/webjars/swagger-ui/5.34.1/swagger-ui-bundle.js", null).statusCode()).isEqualTo(200);
    assertThat(f.get("/docs/swagger-init.js", null).body()).contains("/openapi.yaml");
    assertThat(f.get("/openapi.yaml", null).body()).startsWith("openapi: 3.1.0");
  }

  @Test
  void runEventsStreamTheRunToItsEnd() throws Exception {
    String id = f.runOrders();
    assertThat(f.get("/api/v1/runs/" + id + "/events", VIEWER).statusCode()).isEqualTo(406);
    HttpResponse<String> r = f.call("GET", "/api/v1/runs/" + id + "/events", VIEWER, null, "Accept", "text/event-stream");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    assertThat(r.body()).contains("event: run").contains("event: end").contains("SUCCEEDED");
    assertThat(f.get("/api/v1/runs/nope/events", VIEWER).statusCode()).isEqualTo(404);
  }

  @Test
  void cancellingAnEndedRunIsAConflict() throws Exception {
    String id = f.runOrders();
    HttpResponse<String> r = f.call("POST", "/api/v1/runs/" + id + "/cancel", OPERATOR, null);
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(Fixture.json(r).path("type").asText()).isEqualTo("https://sluice.dev/problems/run-ended");
    assertThat(f.call("POST", "/api/v1/runs/nope/cancel", OPERATOR, null).statusCode()).isEqualTo(404);
  }

  @Test
  void metricsAreRenderedInThePrometheusTextFormat() throws Exception {
    f.runOrders();
    HttpResponse<String> r = f.get("/metrics", VIEWER);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(r.body()).contains("# TYPE ").containsPattern("sluice_[a-z_]+\\{[^}]*pipeline=\"orders\"");
    assertThat(f.get("/metrics", null).statusCode()).isEqualTo(401);
  }

  @Test
  void catalogueListsDestinationsConnectorsPluginsAndSchema() {
    JsonNode dests = Fixture.json(f.get("/api/v1/destinations", VIEWER));
    assertThat(dests.path("items").toString()).contains("\"big\"").contains("\"all\"");
    JsonNode connectors = Fixture.json(f.get("/api/v1/connectors", VIEWER));
    assertThat(connectors.path("items").toString()).contains("\"file\"").contains("orders");
    JsonNode plugins = Fixture.json(f.get("/api/v1/plugins", VIEWER));
    assertThat(plugins.path("items").toString()).contains("\"webhook\"");
    HttpResponse<String> schema = f.get("/api/v1/config/schema", VIEWER);
    assertThat(schema.headers().firstValue("Content-Type").orElse("")).startsWith("application/schema+json");
    assertThat(Fixture.json(schema).path("$id").asText()).contains("sluice");
  }

  @Test
  void connectionTestsAnswerOkFailedOrUnsupportedAndRefuseUnknownNamesAndBadTimeouts() {
    String op = dev.sluice.auth.BuiltInRoles.OPERATOR;
    JsonNode source = Fixture.json(f.call("POST", "/api/v1/pipelines/orders/source/test", op, null));
    assertThat(source.path("status").asText()).isEqualTo("ok");
    assertThat(source.path("type").asText()).isEqualTo("file");
    assertThat(source.path("details").path("path").asText()).endsWith("orders.jsonl");
    JsonNode dest = Fixture.json(f.call("POST", "/api/v1/destinations/big/test", op, null));
    assertThat(dest.path("status").asText()).isEqualTo("unsupported");
    assertThat(dest.path("message").asText()).contains("destination 'big'");

    HttpResponse<String> unknown = f.call("POST", "/api/v1/destinations/nope/test", op, null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(unknown.body()).contains("nope");
    assertThat(f.call("POST", "/api/v1/pipelines/nope/source/test", op, null).statusCode()).isEqualTo(404);
    HttpResponse<String> bad = f.call("POST", "/api/v1/destinations/big/test?timeoutSeconds=61", op, null);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("timeoutSeconds").contains("61");
    assertThat(f.call("POST", "/api/v1/destinations/big/test", VIEWER, null).statusCode()).isEqualTo(403);
  }
}
