package dev.sluice.connectors.ga4;

import dev.sluice.connectors.google.testing.GoogleHarness;
import dev.sluice.connectors.google.testing.GoogleHarness.MutableClock;
import dev.sluice.connectors.google.testing.GoogleStub;
import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import dev.sluice.testkit.ConnectorContract;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The testkit's connector contract against the GA4 stub: a fixed property of 12 days × 3 channel
 * groups, read 5 rows per page, without lookback (with a lookback window a resumed read re-reads
 * days on purpose, which the contract's "exactly the suffix" rule does not allow).
 */
class Ga4ContractTest extends ConnectorContract {
  private GoogleStub stub;

  @BeforeEach
  void start() throws Exception {
    stub = new GoogleStub();
    Ga4Fake ga4 = new Ga4Fake();
    ga4.hourRemaining = Long.MAX_VALUE / 2;
    ga4.dayRemaining = Long.MAX_VALUE / 2;
    for (int day = 1; day <= 12; day++) {
      for (String channel : List.of("Direct", "Email", "Referral")) {
        ga4.rows.add(new Ga4Fake.Row(LocalDate.of(2023, 3, day), channel, day * 3L, "1.25", "60.5"));
      }
    }
    stub.onApi(ga4::handle);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  @Override
  protected Connector createConnector() {
    Map<String, Object> o = new HashMap<>();
    o.put("property", "123456789");
    o.put("credentialsJson", stub.serviceAccountKey());
    o.put("endpoint", stub.url());
    o.put("dimensions", List.of("sessionDefaultChannelGroup"));
    o.put("metrics", List.of("sessions", "purchaseRevenue"));
    o.put("startDate", "2023-03-01");
    o.put("endDate", "2023-03-12");
    o.put("lookbackDays", 0);
    o.put("pageSize", 5);
    MutableClock clock = new MutableClock(Instant.parse("2023-04-01T00:00:00Z"));
    return Harness.create(o, clock, new GoogleHarness.RecordingSleeper(clock), Map.of());
  }

  @Override
  protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
    return Checkpoint.of(GoogleStub.MAPPER.createObjectNode().put("property", "123456789").put("through", "2023-12-31"));
  }

  @Override
  protected int minimumRecords() {
    return 36;
  }
}
