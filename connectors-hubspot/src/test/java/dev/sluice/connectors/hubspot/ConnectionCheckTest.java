package dev.sluice.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.ConnectionCheck;
import dev.sluice.spi.ConnectionCheckResult;
import dev.sluice.spi.ConnectionCheckResult.Status;
import dev.sluice.spi.Connector;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HubSpot connector's connection check (an authenticated GET with limit=1) against the stub. */
class ConnectionCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final String token = "test-" + UUID.randomUUID();
  private HubSpotStub stub;
  private Harness h;

  @BeforeEach
  void start() throws Exception {
    stub = new HubSpotStub().object("deals", Map.of("dealname", "string"));
    stub.acceptedTokens.add(token);
    stub.put("deals", 1, 1_000L, Map.of("dealname", "Deal 1"));
    h = new Harness(stub);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private ConnectionCheckResult check(Map<String, Object> extra) throws Exception {
    Map<String, Object> o = new LinkedHashMap<>(Map.of("object", "deals", "token", token));
    o.putAll(extra);
    try (Connector c = h.connector(o)) {
      return ((ConnectionCheck) c).checkConnection(TIMEOUT);
    }
  }

  @Test
  void aValidTokenIsOk() throws Exception {
    ConnectionCheckResult r = check(Map.of());
    assertThat(r.status()).as(r.message()).isEqualTo(Status.OK);
    assertThat(r.details()).containsEntry("object", "deals");
    assertThat(r.message()).doesNotContain(token);
  }

  @Test
  void aRefusedTokenFailsNamingTheTokenProblemWithoutTheToken() throws Exception {
    stub.acceptedTokens.clear();
    ConnectionCheckResult r = check(Map.of());
    assertThat(r.status()).isEqualTo(Status.FAILED);
    assertThat(r.message()).contains("401").contains("token").doesNotContain(token);
  }

  @Test
  void anUnreachableHostFailsNamingIt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    ConnectionCheckResult r = check(Map.of("baseUrl", "http://127.0.0.1:" + closed, "maxRetries", 0));
    assertThat(r.status()).isEqualTo(Status.FAILED);
    assertThat(r.message()).contains("127.0.0.1:" + closed).contains("could not be reached").doesNotContain(token);
  }
}
