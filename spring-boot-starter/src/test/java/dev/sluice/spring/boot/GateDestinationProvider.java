package dev.sluice.spring.boot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.Batch;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A test destination type {@code gate}, registered as a bean: {@code deliver} waits until the test
 * opens the gate, and every call is written down, so a test can see the order of deliveries and
 * close.
 */
final class GateDestinationProvider implements DestinationProvider {
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch open = new CountDownLatch(1);
  final List<String> events = new CopyOnWriteArrayList<>();

  @Override
  public String type() {
    return "gate";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object().build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    return new Destination() {
      @Override
      public DeliveryResult deliver(Batch batch) throws Exception {
        events.add("deliver " + batch.size());
        entered.countDown();
        if (!open.await(60, TimeUnit.SECONDS)) {
          events.add("gate never opened");
          throw new IllegalStateException("the test never opened the gate");
        }
        events.add("delivered " + batch.size());
        return DeliveryResult.success();
      }

      @Override
      public void close() {
        events.add("close");
      }
    };
  }
}
