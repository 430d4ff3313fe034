package dev.sluice.connectors.http;

import dev.sluice.spi.PluginSecrets;
import dev.sluice.testing.FakeTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/** A stub API on loopback, fake time, and http connectors built from YAML, all closed after each test. */
abstract class StubbedApiTest {
  final ApiStub api;
  final FakeTime time = new FakeTime();
  /** The connector the last {@link #connector} call built. */
  HttpConnector connector;
  private final List<HttpConnector> connectors = new CopyOnWriteArrayList<>();

  StubbedApiTest() {
    try {
      api = new ApiStub();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterEach
  void closeConnectorsAndStub() {
    connectors.forEach(HttpConnector::close);
    api.close();
  }

  /** A connector from these options, without stored secrets; {@link #time} is its clock and sleeper. */
  HttpConnector connector(String yaml) {
    return connector(yaml, new Harness.MapSecrets());
  }

  HttpConnector connector(String yaml, PluginSecrets secrets) {
    connector = Harness.connector(yaml, time, time, secrets);
    connectors.add(connector);
    return connector;
  }
}
