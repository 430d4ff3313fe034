package dev.sluice.connectors.bigquery;

import dev.sluice.connectors.google.testing.GoogleHarness;
import dev.sluice.connectors.google.testing.GoogleHarness.MutableClock;
import dev.sluice.connectors.google.testing.GoogleStub;
import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import dev.sluice.testkit.ConnectorContract;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The testkit's connector contract against the BigQuery stub: 20 rows whose cursor values tie in
 * threes, read 6 rows per page, one poll while the job runs, checkpointing inside the read
 * ({@code orderedByCursor}).
 */
class BigQueryContractTest extends ConnectorContract {
  private static final long T0 = 1_704_067_200_000_000L;
  private GoogleStub stub;

  @BeforeEach
  void start() throws Exception {
    stub = new GoogleStub();
    BigQueryFake bq = new BigQueryFake();
    bq.pendingPolls = 0;
    for (int i = 1; i <= 20; i++) {
      bq.add(i, "row-" + i, i + ".5", T0 + (i / 3) * 1_000_123L);
    }
    stub.onApi(bq::handle);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  @Override
  protected Connector createConnector() {
    Map<String, Object> o = new HashMap<>();
    o.put("credentialsJson", stub.serviceAccountKey());
    o.put("endpoint", stub.url());
    o.put("query", "SELECT * FROM t WHERE updated_at > @since ORDER BY updated_at, id");
    o.put("cursorColumn", "updated_at");
    o.put("cursorParameter", "since");
    o.put("orderedByCursor", true);
    o.put("keyColumns", List.of("id"));
    o.put("pageSize", 6);
    MutableClock clock = new MutableClock(Instant.parse("2024-02-01T00:00:00Z"));
    return Harness.create(o, clock, new GoogleHarness.RecordingSleeper(clock), Map.of());
  }

  @Override
  protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
    return Checkpoint.of(GoogleStub.MAPPER.createObjectNode().put("cursor", "2999-01-01 00:00:00.000000+00:00")
        .put("cursorType", "TIMESTAMP").put("column", "updated_at"));
  }

  @Override
  protected int minimumRecords() {
    return 20;
  }
}
