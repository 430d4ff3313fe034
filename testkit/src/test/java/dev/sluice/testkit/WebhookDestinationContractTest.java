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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** The webhook destination passes the destination contract against a real HTTP server, in both modes. */
class WebhookDestinationContractTest {

  /** One mode of the destination against its own local server. */
  abstract static class Mode extends DestinationContract {
    private final LocalWebhookServer server;
    private final WebhookDestination.Mode mode;
    private final boolean envelopes;

    Mode(WebhookDestination.Mode mode, boolean envelopes) throws Exception {
      this.server = new LocalWebhookServer();
      this.mode = mode;
      this.envelopes = envelopes;
    }

    @AfterEach
    void stopServer() {
      server.close();
    }

    @Override
    protected Destination createDestination() {
      // The server runs on loopback, which the SSRF guard refuses unless allowed explicitly.
      return WebhookDestination.builder("contract", server.url()).mode(mode).envelope(envelopes)
          .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5))
          .allowedTargets(List.of("127.0.0.1")).mapper(new ObjectMapper()).clock(Clock.systemUTC()).build();
    }

    @Override
    protected List<ObjectNode> readBack() {
      return server.received();
    }

    /** Every request carries Idempotency-Key; envelopes carry each item's idempotencyKey too. */
    @Override
    protected Redelivery redelivery() {
      return Redelivery.SAME_IDEMPOTENCY_KEYS;
    }

    @Override
    protected List<String> readBackIdempotencyKeys() {
      return server.receivedIdempotencyKeys();
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

  /** One request per batch, records wrapped in envelopes. */
  @Nested
  class Batches extends Mode {
    Batches() throws Exception {
      super(WebhookDestination.Mode.BATCH, true);
    }
  }

  /** One request per record, bare data. */
  @Nested
  class Records extends Mode {
    Records() throws Exception {
      super(WebhookDestination.Mode.RECORD, false);
    }
  }
}
