package dev.sluice.destinations.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.destinations.notify.TestContext;
import dev.sluice.spi.ConnectionCheckResult;
import dev.sluice.spi.ConnectionCheckResult.Status;
import dev.sluice.spi.PluginConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Slack destination's connection check: auth.test against the local Slack stub; posts nothing. */
class SlackConnectionCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private SlackStub stub;

  @BeforeEach
  void start() throws Exception {
    stub = new SlackStub();
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private SlackDestination create(Map<String, Object> options) {
    options.put("text", "{{record.name}}");
    return SlackDestinationProvider.create(PluginConfig.of("destination 'deals-slack' (type slack)", options),
        new TestContext("deals-slack"), d -> { }, null);
  }

  @Test
  void aGoodTokenIsOkNamesTheTeamAndPostsNothing() throws Exception {
    try (SlackDestination d = create(new HashMap<>(Map.of("token", SlackStub.TOKEN, "baseUrl", stub.apiBase(),
        "channel", "#sales")))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).as(r.message()).isEqualTo(Status.OK);
      assertThat(r.details()).containsEntry("team", "Example Team").containsEntry("user", "sluice-bot");
      assertThat(r.message()).doesNotContain(SlackStub.TOKEN);
    }
    assertThat(stub.requests()).extracting(SlackStub.Post::path).containsExactly("/api/auth.test");
    assertThat(stub.accepted()).isEmpty();
  }

  @Test
  void aWrongTokenFailsNamingTheProblemWithoutTheToken() throws Exception {
    String wrong = "test-wrong-" + UUID.randomUUID();
    try (SlackDestination d = create(new HashMap<>(Map.of("token", wrong, "baseUrl", stub.apiBase(),
        "channel", "#sales")))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("invalid_auth").contains("token").contains("127.0.0.1").doesNotContain(wrong);
    }
  }

  @Test
  void anIncomingWebhookIsCheckedByConnectingOnlyAndAnUnreachableOneFailsWithoutItsPath() throws Exception {
    try (SlackDestination d = create(new HashMap<>(Map.of("webhookUrl", stub.webhookUrl())))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.OK);
      assertThat(r.message()).contains("not checked").doesNotContain("WebhookSecretPart42");
    }
    assertThat(stub.requests()).isEmpty();
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (SlackDestination d = create(new HashMap<>(Map.of("webhookUrl",
        "http://127.0.0.1:" + closed + SlackStub.WEBHOOK_PATH)))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("127.0.0.1:" + closed).doesNotContain("WebhookSecretPart42");
    }
  }
}
