package dev.sluice.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@link WebhookIngestBenchmark} from rotting: runs it for about a second per way with two
 * load threads and checks that both ways served requests without a single error (and, for sluice,
 * that every accepted delivery reached the destination). No timing assertion: the figures belong
 * to a quiet machine (docs/benchmarks.md).
 */
class WebhookIngestBenchmarkTest {

  @Test
  void bothWaysServeSignedWebhooksWithoutErrors() throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    WebhookIngestBenchmark.Result result;
    try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      result = WebhookIngestBenchmark.run(
          WebhookIngestBenchmark.Options.parse("--seconds", "1", "--threads", "2", "--passes", "1", "--warmup", "0"),
          out);
    }
    String report = text.toString(StandardCharsets.UTF_8);
    System.out.println(report); // in target/surefire-reports/*-output.txt

    assertThat(result.ways()).containsOnlyKeys("sluice", "bare");
    for (WebhookIngestBenchmark.WaySummary way : result.ways().values()) {
      assertThat(way.accepted()).as(way.way() + " accepted requests\n" + report).isPositive();
      assertThat(way.errors()).as(way.way() + " errors " + way.errorsByKind() + "\n" + report).isZero();
    }
    WebhookIngestBenchmark.Pass sluice = result.passes().stream()
        .filter(p -> p.way().equals("sluice")).findFirst().orElseThrow();
    assertThat(sluice.delivered()).as("records delivered by the sluice pipeline").isEqualTo(sluice.accepted());
    assertThat(result.totalErrors()).isZero();
    assertThat(report).contains("command: ").contains("sluice/bare = ").contains("errors: none");
  }

  @Test
  void optionsAreCheckedAndNamed() {
    WebhookIngestBenchmark.Options defaults = WebhookIngestBenchmark.Options.parse();
    assertThat(defaults.seconds()).isEqualTo(10);
    assertThat(defaults.threads()).isEqualTo(16);
    assertThat(defaults.passes()).isEqualTo(3);
    assertThat(defaults.warmup()).isEqualTo(1);
    assertThat(defaults.ways()).containsExactly("sluice", "bare");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebhookIngestBenchmark.Options.parse("--ways", "camel"))
        .hasMessageContaining("camel");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WebhookIngestBenchmark.Options.parse("--secs", "1"))
        .hasMessageContaining("secs");
  }

  @Test
  void ordersAreAboutThreeHundredBytesAndUnique() {
    byte[] a = WebhookIngestBenchmark.order("p1-t0", 41);
    byte[] b = WebhookIngestBenchmark.order("p1-t0", 42);
    assertThat(a.length).isBetween(250, 350);
    assertThat(new String(a, StandardCharsets.UTF_8)).isNotEqualTo(new String(b, StandardCharsets.UTF_8))
        .contains("\"id\":\"ord-p1-t0-41\"");
  }
}
