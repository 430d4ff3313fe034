package dev.sluice.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.webhook.WebhookDestination;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.Destination;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The webhook destination (one request per batch, records wrapped in envelopes) passes the destination contract against a real HTTP server. */
class WebhookDestinationContractTest extends DestinationContract {
  private final LocalWebhookServer server;

  WebhookDestinationContractTest() throws Exception {
    server = new LocalWebhookServer();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Override
  protected Destination createDestination() {
    return new WebhookDestination("contract", server.url(), WebhookDestination.Mode.BATCH, true, Map.of(), null,
        "X-Sluice-Signature", Duration.ofSeconds(2), Duration.ofSeconds(5), new ObjectMapper(), Clock.systemUTC());
  }

  @Override
  protected List<ObjectNode> readBack() {
    return server.received();
  }

  @Override
  protected AutoCloseable simulateOutage() {
    return server.outage();
  }

  @Override
  protected Batch unacceptableBatch() {
    List<Record> records = sampleRecords(2);
    ObjectNode bad = records.get(1).data().deepCopy().put("reject", true);
    return batchOf("bad", List.of(records.get(0), records.get(1).withData(bad)));
  }
}
