package ${package};

import dev.sluice.record.Checkpoint;
import dev.sluice.spi.Connector;
import dev.sluice.testkit.ConnectorContract;

/** The testkit's connector contract, run against a feed of 25 items checkpointed every 10. */
class ${classPrefix}ConnectorContractTest extends ConnectorContract {
  @Override
  protected Connector createConnector() {
    return new ${classPrefix}Connector(25, "item-", 10);
  }

  @Override
  protected Checkpoint checkpointBeyondTheEnd(Checkpoint last) {
    return Checkpoint.of(${classPrefix}Connector.POSITION, last.state().get(${classPrefix}Connector.POSITION).asLong() + 1_000);
  }
}
