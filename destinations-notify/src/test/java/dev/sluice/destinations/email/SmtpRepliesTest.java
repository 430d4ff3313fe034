package dev.sluice.destinations.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.destinations.notify.TestContext;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.PluginConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SMTP replies GreenMail can't give, from {@link ScriptedSmtpServer}: per-recipient 4xx/5xx
 * (RFC 5321 §4.2: 4yz transient, 5yz permanent), a 4xx to DATA, one connection per batch, and
 * STARTTLS required.
 */
class SmtpRepliesTest {
  private ScriptedSmtpServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private Destination create(String security, Object... more) {
    Map<String, Object> o = new HashMap<>(Map.of("host", "127.0.0.1", "port", server.port(), "security", security,
        "from", "alerts@example.com", "to", List.of("ok@example.com", "busy@example.com", "nobody@example.com"),
        "subject", "Deal {{record.id}}", "text", "Deal {{record.id}}"));
    for (int i = 0; i < more.length; i += 2) {
      o.put((String) more[i], more[i + 1]);
    }
    return new EmailDestinationProvider().create(PluginConfig.of("destination 'mail' (type email)", o),
        new TestContext("mail"));
  }

  private static Batch batch(int... ids) {
    List<Record> records = new java.util.ArrayList<>();
    for (int id : ids) {
      records.add(Record.of("deal-" + id, JsonNodeFactory.instance.objectNode().put("id", id)));
    }
    return Batch.of("p", "mail", "r", records);
  }

  @Test
  void perRecipientRepliesDecideRetryAndARetryReachesOnlyThoseNotReached() throws Exception {
    server = new ScriptedSmtpServer(false);
    server.rcptReplies.put("busy@example.com", "450 4.2.1 Mailbox busy, try later");
    server.rcptReplies.put("nobody@example.com", "550 5.1.1 No such user");
    Destination d = create("none");

    DeliveryResult first = d.deliver(batch(1));

    assertThat(server.deliveries).hasSize(1);
    assertThat(server.deliveries.get(0).recipients()).containsExactly("ok@example.com");
    assertThat(first.failures()).containsOnlyKeys(0);
    assertThat(first.failures().get(0).retryable()).as("a 450 is worth retrying").isTrue();
    assertThat(first.failures().get(0).reason()).contains("busy@example.com").contains("450")
        .contains("nobody@example.com").contains("550");

    server.rcptReplies.remove("busy@example.com");
    DeliveryResult second = d.deliver(batch(1).nextAttempt());
    assertThat(server.deliveries).hasSize(2);
    assertThat(server.deliveries.get(1).recipients()).as("ok@ got it already").containsExactly("busy@example.com");
    assertThat(second.failures().get(0).retryable()).as("only the 550 is left: permanent").isFalse();
    assertThat(second.failures().get(0).reason()).contains("nobody@example.com").doesNotContain("busy@");
  }

  @Test
  void aDigestRetriedAfterOneRecipientWasBusyReachesEachRecipientWithWhatItMissed() throws Exception {
    server = new ScriptedSmtpServer(false);
    server.rcptReplies.put("busy@example.com", "452 4.2.2 Mailbox full, try later");
    Destination d = create("none", "to", List.of("ok@example.com", "busy@example.com"), "mode", "digest",
        "subject", "{{count}} deals", "text", "{{#records}}{{record.id}} {{/records}}");

    DeliveryResult first = d.deliver(batch(1, 2));
    assertThat(first.failures()).containsOnlyKeys(0, 1);
    assertThat(first.failures().values()).allMatch(DeliveryResult.RecordFailure::retryable);

    server.rcptReplies.clear();
    assertThat(d.deliver(batch(1, 2, 3))).matches(DeliveryResult::isSuccess);

    assertThat(server.deliveries).hasSize(3);
    assertThat(server.deliveries.get(0).recipients()).containsExactly("ok@example.com");
    assertThat(server.deliveries.get(0).data()).contains("Subject: 2 deals");
    // ok@ misses record 3 only, busy@ all three: one message each.
    ScriptedSmtpServer.Delivery toOk = server.deliveries.stream()
        .filter(x -> x.recipients().equals(List.of("ok@example.com"))).skip(1).findFirst().orElseThrow();
    ScriptedSmtpServer.Delivery toBusy = server.deliveries.stream()
        .filter(x -> x.recipients().equals(List.of("busy@example.com"))).findFirst().orElseThrow();
    assertThat(toOk.data()).contains("Subject: 1 deals").contains("\r\n3 \r\n");
    assertThat(toBusy.data()).contains("Subject: 3 deals").contains("1 2 3");
  }

  @Test
  void aTransientDataReplyIsRetryableAndAPermanentOneIsNot() throws Exception {
    server = new ScriptedSmtpServer(false);
    Destination d = create("none", "to", List.of("ok@example.com"));
    server.dataReply = "451 4.3.0 Temporary local problem";
    DeliveryResult r = d.deliver(batch(1));
    assertThat(r.failures().get(0).retryable()).isTrue();
    assertThat(r.failures().get(0).reason()).contains("451");
    server.dataReply = "554 5.6.0 Message content rejected";
    r = d.deliver(batch(2));
    assertThat(r.failures().get(0).retryable()).isFalse();
    assertThat(r.failures().get(0).reason()).contains("554");
    assertThat(server.deliveries).isEmpty();
  }

  @Test
  void oneConnectionServesAWholeBatch() throws Exception {
    server = new ScriptedSmtpServer(false);
    Destination d = create("none", "to", List.of("ok@example.com"));
    assertThat(d.deliver(batch(1, 2, 3, 4, 5))).matches(DeliveryResult::isSuccess);
    assertThat(server.deliveries).hasSize(5);
    assertThat(server.connections.get()).isEqualTo(1);
  }

  @Test
  void starttlsIsUsedWhenOffered() throws Exception {
    server = new ScriptedSmtpServer(true);
    Destination d = create("starttls", "to", List.of("ok@example.com"), "sslTrust", List.of("127.0.0.1"));
    assertThat(d.deliver(batch(1))).matches(DeliveryResult::isSuccess);
    assertThat(server.deliveries).hasSize(1);
    assertThat(server.deliveries.get(0).tls()).as("the message went over TLS").isTrue();
    assertThat(server.deliveries.get(0).data()).contains("Subject: Deal 1");
  }

  @Test
  void starttlsRequiredNeverFallsBackToPlainText() throws Exception {
    server = new ScriptedSmtpServer(false);
    Destination d = create("starttls", "to", List.of("ok@example.com"));
    Throwable t = catchThrowable(() -> d.deliver(batch(1)));
    assertThat(t).isInstanceOf(DeliveryException.class).hasMessageContaining("127.0.0.1:" + server.port());
    assertThat(server.deliveries).isEmpty();
    assertThat(server.commands).noneMatch(c -> c.toUpperCase().startsWith("MAIL FROM"));
  }
}
