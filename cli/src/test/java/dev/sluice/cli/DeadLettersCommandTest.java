package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.store.DeadLetter;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.DeadLetterStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice dead-letters list|replay|purge} on an H2 file store and a real webhook endpoint. */
class DeadLettersCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");

  @TempDir Path dir;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private HttpServer server;
  private Path config;
  private String storeUrl;
  private final List<Long> ids = new ArrayList<>();

  private record Result(int exit, String out, String err) {}

  @BeforeEach
  void setUp() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hook", exchange -> {
      try (exchange) {
        JsonNode body = MAPPER.readTree(exchange.getRequestBody());
        if (status == 200) {
          body.forEach(received::add);
        }
        exchange.sendResponseHeaders(status, -1);
      }
    });
    server.start();
    storeUrl = "jdbc:h2:file:" + dir.resolve("db/sluice");
    config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        store: { jdbc: "%s" }
        destinations:
          crm:
            type: webhook
            url: http://127.0.0.1:%d/hook
            allowedTargets: [127.0.0.1]
            delivery: { maxAttempts: 1, circuitBreaker: { enabled: false } }
        pipelines:
          orders:
            source: { type: file, path: orders.jsonl }
            rules:
              - to: [crm]
        """.formatted(storeUrl, server.getAddress().getPort()));
    deadLetters(d -> {
      for (String key : List.of("o-1", "o-2", "o-3")) {
        ObjectNode data = MAPPER.createObjectNode().put("id", key).put("email", "x@example.com");
        ids.add(d.add(new DeadLetter(0, "orders", "crm", "run-1", key, RecordCodec.toJson(Record.of(key, data)),
            null, "permanent failure: HTTP 422: invalid email", 1, T0, T0)).id());
      }
      return null;
    });
  }

  /** Opens the store the commands use, between commands. */
  private <T> T deadLetters(Function<DeadLetterStore, T> action) {
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(storeUrl).build())) {
      return action.apply(store.deadLetters());
    }
  }

  @AfterEach
  void tearDown() {
    server.stop(0);
  }

  private Result sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("-c", config.toString()));
    int exit = SluiceCli.execute(all.toArray(new String[0]), new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void listShowsTheDeadLettersAsATableOrAsJson() throws Exception {
    Result table = sluice("dead-letters", "list", "--destination", "crm");
    assertThat(table.exit()).isZero();
    assertThat(table.out()).contains("ID", "REASON", "o-1", "o-3", "HTTP 422: invalid email", "3 shown, 3 in total");

    Result page = sluice("dead-letters", "list", "--limit", "2");
    assertThat(page.out()).contains("o-1", "o-2").doesNotContain("o-3")
        .contains("2 shown, 3 in total (next page: --after " + ids.get(1) + ")");

    JsonNode json = MAPPER.readTree(sluice("dead-letters", "list", "--json").out());
    assertThat(json).hasSize(3);
    assertThat(json.get(0).get("record").get("data").get("email").asText()).isEqualTo("x@example.com");
    assertThat(json.get(0).get("attempts").asInt()).isEqualTo(1);
  }

  @Test
  void replayRedeliversWithTheSameIdempotencyKeysAndDeletesWhatWasDelivered() {
    Result r = sluice("dead-letters", "replay", "--destination", "crm");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("3 selected, 3 delivered, 0 failed again, 0 skipped");
    assertThat(received).extracting(n -> n.get("idempotencyKey").asText())
        .containsExactly(IdempotencyKeys.of("orders", "o-1"), IdempotencyKeys.of("orders", "o-2"),
            IdempotencyKeys.of("orders", "o-3"));
    assertThat((long) deadLetters(d -> d.count(DeadLetterQuery.all()))).isZero();
  }

  @Test
  void aReplayThatFailsAgainExitsWithOneAndKeepsTheDeadLetterWithTheNewReason() {
    status = 503;
    Result r = sluice("dead-letters", "replay", String.valueOf(ids.get(0)));

    assertThat(r.exit()).isEqualTo(ExitCodes.RUN_FAILED);
    assertThat(r.out()).contains("1 selected, 0 delivered, 1 failed again").contains("HTTP 503");
    DeadLetter kept = deadLetters(d -> d.find(ids.get(0))).orElseThrow();
    assertThat(kept.attempts()).isEqualTo(2);
    assertThat(kept.reason()).contains("HTTP 503");

    Result unknown = sluice("dead-letters", "replay", "999999");
    assertThat(unknown.exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(unknown.err()).contains("no dead letter with id 999999");
  }

  @Test
  void purgeNeedsASelectionAndDeletesByQueryOrId() {
    assertThat(sluice("dead-letters", "purge").exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(sluice("dead-letters", "purge", "--all", "-p", "orders").exit()).as("one way to select").isEqualTo(ExitCodes.USAGE);

    Result one = sluice("dead-letters", "purge", String.valueOf(ids.get(1)));
    assertThat(one.exit()).isZero();
    assertThat(one.out()).contains("purged 1 dead letter(s)");
    Result rest = sluice("dead-letters", "purge", "--pipeline", "orders");
    assertThat(rest.out()).contains("purged 2 dead letter(s) (pipeline 'orders')");
    assertThat((long) deadLetters(d -> d.count(DeadLetterQuery.all()))).isZero();
    assertThat(received).as("purging delivers nothing").isEmpty();
  }
}
