package dev.sluice.destinations.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.destinations.notify.TestContext;
import dev.sluice.spi.ConnectionCheck;
import dev.sluice.spi.ConnectionCheckResult;
import dev.sluice.spi.ConnectionCheckResult.Status;
import dev.sluice.spi.Destination;
import dev.sluice.spi.PluginConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The email destination's connection check against GreenMail: connect, authenticate, NOOP; no message. */
class EmailConnectionCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final String password = secret();
  private Mailbox mailbox;

  @AfterEach
  void stop() {
    if (mailbox != null) {
      mailbox.close();
    }
  }

  private static String secret() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return "pw-" + HexFormat.of().formatHex(b);
  }

  private static ConnectionCheck create(Map<String, Object> options) {
    Destination d = new EmailDestinationProvider().create(
        PluginConfig.of("destination 'alerts-email' (type email)", options), new TestContext("alerts-email"));
    return (ConnectionCheck) d;
  }

  private Map<String, Object> smtps(int port, String pw) {
    return new HashMap<>(Map.of("host", "127.0.0.1", "port", port, "security", "smtps",
        "sslTrust", List.of("127.0.0.1"), "username", "alerts", "password", pw,
        "from", "alerts@example.com", "to", List.of("sales@example.com"), "subject", "x", "text", "x"));
  }

  @Test
  void goodCredentialsAreOkAndNoMessageIsSent() throws Exception {
    mailbox = new Mailbox("smtps", "alerts@example.com", "alerts", password);
    ConnectionCheckResult r = create(smtps(mailbox.port, password)).checkConnection(TIMEOUT);
    assertThat(r.status()).as(r.message()).isEqualTo(Status.OK);
    assertThat(r.message()).contains("127.0.0.1:" + mailbox.port).contains("'alerts'").doesNotContain(password);
    assertThat(mailbox.received()).isEmpty();
  }

  @Test
  void aWrongPasswordFailsNamingTheServerAndUserButNotThePassword() throws Exception {
    mailbox = new Mailbox("smtps", "alerts@example.com", "alerts", password);
    String wrong = secret();
    ConnectionCheckResult r = create(smtps(mailbox.port, wrong)).checkConnection(TIMEOUT);
    assertThat(r.status()).isEqualTo(Status.FAILED);
    assertThat(r.message()).contains("127.0.0.1:" + mailbox.port).contains("refused authentication as 'alerts'")
        .doesNotContain(wrong).doesNotContain(password);
  }

  @Test
  void anUnreachablePortFailsNamingHostAndPort() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    ConnectionCheckResult r = create(new HashMap<>(Map.of("host", "127.0.0.1", "port", closed, "security", "none",
        "from", "alerts@example.com", "to", List.of("sales@example.com"), "subject", "x", "text", "x")))
        .checkConnection(TIMEOUT);
    assertThat(r.status()).isEqualTo(Status.FAILED);
    assertThat(r.message()).contains("could not connect to SMTP server 127.0.0.1:" + closed);
  }
}
