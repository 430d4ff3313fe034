package dev.sluice.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.pipeline.RunReport;
import dev.sluice.pipeline.RunStatus;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {
  @TempDir Path dir;
  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void theCommittedOrdersFileIsWhatTheGeneratorWrites() throws Exception {
    Path regenerated = dir.resolve("orders.jsonl");
    OrdersGenerator.write(regenerated, OrdersGenerator.DEFAULT_COUNT);
    assertThat(Files.readString(Path.of("orders.jsonl"))).isEqualTo(Files.readString(regenerated));
  }

  @Test
  void bigOrdersGoToAlertsAndEveryOrderToTheCsv() throws Exception {
    Files.copy(Path.of("orders.jsonl"), dir.resolve("orders.jsonl"));
    List<JsonNode> orders = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("orders.jsonl"))) {
      orders.add(mapper.readTree(line));
    }
    List<String> expectedAlerts = orders.stream()
        .filter(o -> o.get("amount").decimalValue().compareTo(new BigDecimal("1000")) > 0)
        .map(o -> o.get("id").asText()).toList();

    RunReport report = QuickstartMain.run(dir);

    assertThat(report.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(report.recordsRead()).isEqualTo(orders.size());
    assertThat(report.ruleMatches().get("big-orders")).isEqualTo(expectedAlerts.size());
    assertThat(expectedAlerts).as("the data has some big orders, not all").isNotEmpty().hasSizeLessThan(orders.size() / 10);
    List<String> alerts = new ArrayList<>();
    for (String line : Files.readAllLines(dir.resolve("out/alerts.jsonl"))) {
      alerts.add(mapper.readTree(line).get("id").asText());
    }
    assertThat(alerts).containsExactlyElementsOf(expectedAlerts);
    List<String> csv = Files.readAllLines(dir.resolve("out/orders.csv"));
    assertThat(csv.get(0)).isEqualTo("id,createdAt,status,channel,currency,amount");
    assertThat(csv).hasSize(orders.size() + 1);
    assertThat(csv.get(1)).startsWith(orders.get(0).get("id").asText() + ",");
  }

  @Test
  void aSecondRunResumesFromTheCheckpointKeptInTheH2File() throws Exception {
    Files.copy(Path.of("orders.jsonl"), dir.resolve("orders.jsonl"));
    long lines = Files.readAllLines(dir.resolve("orders.jsonl")).size();

    RunReport first = QuickstartMain.run(dir);
    assertThat(first.recordsRead()).isEqualTo(lines);
    assertThat(dir.resolve("data/sluice.mv.db")).as("the embedded H2 file").exists();

    RunReport second = QuickstartMain.run(dir);
    assertThat(second.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(second.recordsRead()).as("nothing new since the checkpoint").isZero();

    Files.writeString(dir.resolve("orders.jsonl"),
        "{\"id\":\"ord-900001\",\"createdAt\":\"2026-12-01T10:00:00Z\",\"amount\":1500.00,\"currency\":\"EUR\",\"status\":\"paid\",\"channel\":\"web\"}\n"
            + "{\"id\":\"ord-900002\",\"createdAt\":\"2026-12-01T10:05:00Z\",\"amount\":20.00,\"currency\":\"EUR\",\"status\":\"paid\",\"channel\":\"web\"}\n",
        java.nio.file.StandardOpenOption.APPEND);
    RunReport third = QuickstartMain.run(dir);
    assertThat(third.recordsRead()).as("only the appended lines").isEqualTo(2);
    assertThat(third.ruleMatches().get("big-orders")).isEqualTo(1);

    // The outputs hold every order of every run, as the README says: the runs append to them.
    List<String> csv = Files.readAllLines(dir.resolve("out/orders.csv"));
    assertThat(csv.get(0)).isEqualTo("id,createdAt,status,channel,currency,amount");
    assertThat(csv).as("one header, then every order").hasSize((int) lines + 2 + 1);
    assertThat(csv.stream().filter(l -> l.startsWith("id,"))).hasSize(1);
    assertThat(csv.get(csv.size() - 2)).startsWith("ord-900001,");
    assertThat(csv.get(csv.size() - 1)).startsWith("ord-900002,");
    List<String> alerts = Files.readAllLines(dir.resolve("out/alerts.jsonl"));
    assertThat(alerts).as("the big orders of the first run and the new one")
        .hasSize((int) (first.ruleMatches().get("big-orders") + 1));
    assertThat(alerts.get(alerts.size() - 1)).contains("ord-900001");

    try (dev.sluice.jdbc.JdbcStore store = QuickstartMain.openStore(dir)) {
      assertThat(store.runs().list("orders", 10)).as("run history survives in the H2 file")
          .extracting(r -> r.recordsRead())
          .containsExactlyInAnyOrder(lines, 0L, 2L);
      assertThat(store.checkpoints().load("orders")).isPresent();
    }
  }
}
