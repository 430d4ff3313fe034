package dev.sluice.destinations.prometheus;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.Destination;
import dev.sluice.testkit.DestinationContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The testkit's destination contract against a real Pushgateway: the destination pushes after
 * every batch ({@code pushOn: every-batch}), so an outage of the Pushgateway is an outage of
 * delivery. The sink is what the Pushgateway serves on {@code /metrics}: each contract record
 * {@code {id, name, amount}} is the gauge sample {@code contract_amount{id, name} = amount}, read
 * back in record order (ids grow in the contract's delivery order). Each test pushes under its
 * own job, so it starts with an empty sink.
 */
class PrometheusDestinationContractTest extends DestinationContract {
  @TempDir
  static Path dir;
  static LocalServers.Server pushgateway;
  private String job;

  @BeforeAll
  static void start() throws Exception {
    pushgateway = LocalServers.pushgateway(dir, 0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (pushgateway != null) {
      pushgateway.close();
    }
  }

  @Override
  protected Destination createDestination() {
    job = "contract-" + UUID.randomUUID();
    return TestSupport.create("""
        pushgateway: { url: '%s', job: %s, pushOn: every-batch, timeout: 2s }
        metrics:
          - { name: contract_amount, type: gauge, help: The contract record's amount, value: $.amount,
              labels: { id: $.id, name: $.name } }
        """.formatted(pushgateway.base(), job), Clock.systemUTC());
  }

  @Override
  protected List<ObjectNode> readBack() throws Exception {
    var response = LocalServers.get(pushgateway.base() + "/metrics", null);
    List<Samples.Sample> samples = new ArrayList<>(Samples.parse(response.body())
        .of("contract_amount", Map.of("job", job)));
    samples.sort(Comparator.comparingLong(s -> Long.parseLong(s.labels().get("id"))));
    List<ObjectNode> out = new ArrayList<>();
    for (Samples.Sample s : samples) {
      ObjectNode n = TestSupport.JSON.createObjectNode();
      n.put("id", Integer.parseInt(s.labels().get("id")));
      n.put("name", s.labels().get("name"));
      n.put("amount", s.value());
      out.add(n);
    }
    return out;
  }

  /** Stops the Pushgateway; closing the handle starts it again on the same port. */
  @Override
  protected AutoCloseable simulateOutage() throws Exception {
    int port = pushgateway.port;
    pushgateway.close();
    return () -> pushgateway = LocalServers.pushgateway(dir, port);
  }

  /** A gauge is set again to the same value: each record is in the sink once. */
  @Override
  protected Redelivery redelivery() {
    return Redelivery.DEDUPLICATED;
  }

  /** Two good records, one without an amount and one whose amount is text. */
  @Override
  protected Batch unacceptableBatch() {
    List<Record> records = new ArrayList<>(sampleRecords(2));
    records.add(TestSupport.record("no-amount", "{\"id\": 3, \"name\": \"record 3\"}"));
    records.add(TestSupport.record("text-amount", "{\"id\": 4, \"name\": \"record 4\", \"amount\": \"lots\"}"));
    return batchOf(UUID.randomUUID().toString(), records);
  }
}
