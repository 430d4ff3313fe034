package dev.sluice.connectors.hubspot;

import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import dev.sluice.testkit.ConnectorContract;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The testkit's connector contract against the stub: 40 deals in incremental mode, many sharing a
 * last-modified time (groups of 1, 3 and 7 with pages of 5, so some ties straddle pages and one is
 * read on its own by id), ties answered in a different order on every request.
 */
class HubSpotConnectorContractTest extends ConnectorContract {
  private HubSpotStub stub;
  private Harness harness;

  @BeforeEach
  void start() throws Exception {
    stub = new HubSpotStub().object("deals", Map.of("dealname", "string", "amount", "number"));
    stub.acceptedTokens.add("pat-na1-contract-token");
    long t = 1_700_000_000_000L;
    long id = 1000;
    int[] groups = {1, 3, 1, 7, 1, 1, 3, 5, 1, 7, 2, 1, 6, 1};
    for (int g : groups) {
      t += 1000;
      for (int i = 0; i < g; i++) {
        id += 7;
        stub.put("deals", id, t, Map.of("dealname", "Deal " + id, "amount", Long.toString(id * 10)));
      }
    }
    harness = new Harness(stub);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  @Override
  protected Connector createConnector() {
    return harness.connector(Map.of("object", "deals", "token", "pat-na1-contract-token", "pageSize", 5,
        "properties", java.util.List.of("dealname", "amount")));
  }

  @Override
  protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
    return Harness.future(last);
  }

  @Override
  protected int minimumRecords() {
    return 40;
  }
}
