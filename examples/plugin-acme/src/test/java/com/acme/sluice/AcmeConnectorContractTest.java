package com.acme.sluice;

import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import dev.sluice.testkit.ConnectorContract;

/** The testkit's connector contract, run against a feed of 25 items checkpointed every 10. */
class AcmeConnectorContractTest extends ConnectorContract {
  @Override
  protected Connector createConnector() {
    return new AcmeConnector(25, "item-", 10);
  }

  @Override
  protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
    return Checkpoint.of(AcmeConnector.POSITION, last.state().get(AcmeConnector.POSITION).asLong() + 1_000);
  }
}
