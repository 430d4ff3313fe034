package dev.sluice.destinations.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.notify.TestContext;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The email destination against GreenMail, a real SMTP server: what arrives, headers, bodies, attachments. */
class EmailDestinationTest {
  private static final String PASSWORD = "s3cr3t-Pa55word";
  private Mailbox mailbox;
  private final TestContext context = new TestContext("alerts-email");

  @AfterEach
  void stop() {
    if (mailbox != null) {
      mailbox.close();
    }
  }

  private Destination create(Map<String, Object> options) {
    return new EmailDestinationProvider().create(PluginConfig.of("destination 'alerts-email' (type email)", options),
        context);
  }

  private Map<String, Object> plain(Object... more) throws Exception {
    mailbox = new Mailbox("smtp");
    Map<String, Object> o = new HashMap<>(Map.of("host", "127.0.0.1", "port", mailbox.port, "security", "none",
        "from", "Sluice Alerts <alerts@example.com>", "to", List.of("sales@example.com"),
        "subject", "Big deal: {{record.name}}", "text", "{{record.name}} is worth {{#number}}{{record.amount}}{{/number}}"));
    for (int i = 0; i < more.length; i += 2) {
      if (more[i + 1] == null) {
        o.remove((String) more[i]);
      } else {
        o.put((String) more[i], more[i + 1]);
      }
    }
    return o;
  }

  private static Record deal(int id, String name, double amount) {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("id", id).put("name", name).put("amount", amount);
    return Record.of("deal-" + id, data);
  }

  private static Batch batch(Record... records) {
    return Batch.of("hubspot-deals", "alerts-email", "run-1", List.of(records));
  }

  @Test
  void anHtmlAlertWithATextAlternativeEscapesRecordValuesInTheHtmlOnly() throws Exception {
    Destination d = create(plain("cc", List.of("boss@example.com"), "bcc", List.of("audit@example.com"),
        "html", "<h1>New deal</h1><p><b>{{record.name}}</b> – {{#number}}{{record.amount}}{{/number}} USD</p>"));
    String name = "<script>alert(\"x\")</script> & Co";

    assertThat(d.deliver(batch(deal(1, name, 12500)))).matches(DeliveryResult::isSuccess);

    List<MimeMessage> got = mailbox.received();
    assertThat(got).as("one copy each for to, cc and bcc").hasSize(3);
    MimeMessage m = got.get(0);
    assertThat(m.getSubject()).isEqualTo("Big deal: " + name);
    assertThat(m.getFrom()).containsExactly(new InternetAddress("Sluice Alerts <alerts@example.com>"));
    assertThat(m.getRecipients(Message.RecipientType.TO)).containsExactly(new InternetAddress("sales@example.com"));
    assertThat(m.getRecipients(Message.RecipientType.CC)).containsExactly(new InternetAddress("boss@example.com"));
    assertThat(m.getHeader("Bcc")).as("bcc stays out of the headers").isNull();
    assertThat(m.getMessageID()).matches("<[0-9a-f]{40}\\.1@sluice>");
    assertThat(m.getHeader("X-Sluice-Idempotency-Key")).containsExactly(
        batch(deal(1, name, 12500)).idempotencyKey(0));
    assertThat(m.isMimeType("multipart/alternative")).isTrue();
    assertThat(Mailbox.partText(m, "text/plain")).isEqualTo(name + " is worth 12,500");
    assertThat(Mailbox.partText(m, "text/html")).isEqualTo("<h1>New deal</h1><p><b>&lt;script&gt;alert(&quot;x&quot;)"
        + "&lt;/script&gt; &amp; Co</b> – 12,500 USD</p>");
    assertThat(mailbox.server().getReceivedMessagesForDomain("example.com")).hasSize(3);
    assertThat(Arrays.stream(mailbox.server().getReceivedMessages()).map(x -> {
      try {
        return x.getAllRecipients().length;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    })).allMatch(n -> n == 2);
  }

  @Test
  void smtpsWithAuthentication() throws Exception {
    mailbox = new Mailbox("smtps", "alerts@example.com", "alerts", PASSWORD);
    Map<String, Object> o = new HashMap<>(Map.of("host", "127.0.0.1", "port", mailbox.port, "security", "smtps",
        "sslTrust", List.of("127.0.0.1"), "username", "alerts", "password", PASSWORD,
        "from", "alerts@example.com", "to", List.of("sales@example.com"), "subject", "Hi {{record.name}}",
        "text", "TLS and auth"));
    Destination d = create(o);
    assertThat(d.deliver(batch(deal(1, "A", 1)))).matches(DeliveryResult::isSuccess);
    assertThat(mailbox.received()).hasSize(1);
    assertThat(mailbox.received().get(0).getSubject()).isEqualTo("Hi A");
    assertThat(d.toString()).contains("smtps").contains("alerts").doesNotContain(PASSWORD);

    o.put("password", "wrong-" + PASSWORD);
    Destination wrong = create(o);
    Throwable t = catchThrowable(() -> wrong.deliver(batch(deal(2, "B", 1))));
    assertThat(t).isInstanceOf(DeliveryException.class).hasMessageContaining("authentication")
        .hasMessageNotContaining(PASSWORD);
    assertThat(((DeliveryException) t).isRetryable()).as("wrong credentials do not heal").isFalse();
    assertThat(mailbox.received()).hasSize(1);
  }

  @Test
  void smtpsRefusesAnUntrustedCertificateAsAFailureThatNamesTheServer() throws Exception {
    mailbox = new Mailbox("smtps");
    Destination d = create(Map.of("host", "127.0.0.1", "port", mailbox.port, "security", "smtps",
        "from", "alerts@example.com", "to", List.of("sales@example.com"), "subject", "x", "text", "x"));
    Throwable t = catchThrowable(() -> d.deliver(batch(deal(1, "A", 1))));
    assertThat(t).isInstanceOf(DeliveryException.class).hasMessageContaining("127.0.0.1:" + mailbox.port);
    assertThat(mailbox.received()).isEmpty();
  }

  @Test
  void aDigestListsUpToTheLimitAndAttachesEveryRecordAsCsv() throws Exception {
    Destination d = create(plain("mode", "digest", "digestLimit", 2, "attach", "csv",
        "subject", "{{count}} new deals", "text",
        "{{#records}}- {{record.name}}\n{{/records}}{{#more}}and {{more}} more (see the attachment){{/more}}"));
    List<Record> records = new ArrayList<>();
    records.add(deal(1, "Acme, Inc.", 1000));
    records.add(deal(2, "=HYPERLINK(\"http://evil\")", 2000));
    for (int i = 3; i <= 5; i++) {
      records.add(deal(i, "Deal " + i, i * 1000));
    }
    ObjectNode nested = JsonNodeFactory.instance.objectNode().put("id", 6);
    nested.putObject("owner").put("name", "Ann");
    records.add(Record.of("deal-6", nested));

    assertThat(d.deliver(Batch.of("p", "alerts-email", "r", records))).matches(DeliveryResult::isSuccess);

    assertThat(mailbox.received()).hasSize(1);
    MimeMessage m = mailbox.received().get(0);
    assertThat(m.getSubject()).isEqualTo("6 new deals");
    // SMTP carries text with CRLF line ends.
    assertThat(Mailbox.partText(m, "text/plain").replace("\r\n", "\n")).isEqualTo(
        "- Acme, Inc.\n- =HYPERLINK(\"http://evil\")\nand 4 more (see the attachment)");
    BodyPart csv = Mailbox.attachment(m, "records.csv");
    assertThat(csv).isNotNull();
    assertThat(csv.isMimeType("text/csv")).isTrue();
    String content = new String(csv.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(content).isEqualTo("id,name,amount,owner\r\n"
        + "1,\"Acme, Inc.\",1000.0,\r\n"
        + "2,\"'=HYPERLINK(\"\"http://evil\"\")\",2000.0,\r\n"
        + "3,Deal 3,3000.0,\r\n4,Deal 4,4000.0,\r\n5,Deal 5,5000.0,\r\n"
        + "6,,,\"{\"\"name\"\":\"\"Ann\"\"}\"\r\n");
  }

  @Test
  void attachesJsonLines() throws Exception {
    Destination d = create(plain("attach", "jsonl"));
    assertThat(d.deliver(batch(deal(1, "A", 1)))).matches(DeliveryResult::isSuccess);
    BodyPart part = Mailbox.attachment(mailbox.received().get(0), "records.jsonl");
    assertThat(new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n"))
        .isEqualTo("{\"id\":1,\"name\":\"A\",\"amount\":1.0}\n");
  }

  @Test
  void headerInjectionFromDataIsRefusedAndTheRecordBecomesADeadLetterWithTheReason() throws Exception {
    Destination d = create(plain("to", null, "toFrom", "owner.email"));
    ObjectNode okData = JsonNodeFactory.instance.objectNode().put("name", "fine").put("amount", 1);
    okData.putObject("owner").put("email", "ann@example.com");
    ObjectNode crlfAddress = JsonNodeFactory.instance.objectNode().put("name", "x").put("amount", 1);
    crlfAddress.putObject("owner").put("email", "bob@example.com\r\nBcc: everyone@example.com");
    ObjectNode crlfSubject = JsonNodeFactory.instance.objectNode().put("name", "x\r\nBcc: everyone@example.com")
        .put("amount", 1);
    crlfSubject.putObject("owner").put("email", "carl@example.com");
    ObjectNode lfOnly = JsonNodeFactory.instance.objectNode().put("name", "y\nX-Evil: 1").put("amount", 1);
    lfOnly.putObject("owner").put("email", "dan@example.com");
    ObjectNode two = JsonNodeFactory.instance.objectNode().put("name", "z").put("amount", 1);
    two.putObject("owner").put("email", "eve@example.com, everyone@example.com");
    ObjectNode none = JsonNodeFactory.instance.objectNode().put("name", "nobody").put("amount", 1);

    DeliveryResult r = d.deliver(batch(Record.of("ok", okData), Record.of("a", crlfAddress),
        Record.of("s", crlfSubject), Record.of("l", lfOnly), Record.of("t", two), Record.of("n", none)));

    assertThat(r.failures()).containsOnlyKeys(1, 2, 3, 4, 5);
    assertThat(r.failures().values()).noneMatch(DeliveryResult.RecordFailure::retryable);
    assertThat(r.failures().get(1).reason()).contains("record field 'owner.email'").contains("line break")
        .contains("header injection");
    assertThat(r.failures().get(2).reason()).contains("subject").contains("header injection");
    assertThat(r.failures().get(3).reason()).contains("subject").contains("header injection");
    assertThat(r.failures().get(4).reason()).contains("exactly one email address");
    assertThat(r.failures().get(5).reason()).contains("no recipient");
    assertThat(mailbox.received()).hasSize(1);
    assertThat(mailbox.received().get(0).getAllRecipients()).containsExactly(new InternetAddress("ann@example.com"));
    assertThat(mailbox.server().getReceivedMessagesForDomain("everyone@example.com")).isEmpty();
  }

  @Test
  void aBatchDeliveredAgainMailsNobodyTwice() throws Exception {
    Destination d = create(plain("to", List.of("a@example.com", "b@example.com")));
    d.deliver(batch(deal(1, "A", 1), deal(2, "B", 2)));
    d.deliver(batch(deal(1, "A", 1), deal(2, "B", 2)).nextAttempt());
    assertThat(mailbox.received()).as("2 records x 2 recipients").hasSize(4);
  }

  @Test
  void configurationErrorsNameTheOptionAndHideThePassword() {
    Map<String, Object> base = Map.of("host", "smtp.example.com", "from", "a@example.com", "to", List.of("b@example.com"),
        "subject", "s", "text", "t");
    assertThatThrownBy(() -> create(with(base, "from", "not an address"))).isInstanceOf(PluginConfigException.class)
        .hasMessageContaining("option 'from'");
    assertThatThrownBy(() -> create(with(base, "to", List.of("x@example.com\r\nBcc: y@example.com"))))
        .hasMessageContaining("option 'to'").hasMessageContaining("line break");
    assertThatThrownBy(() -> create(with(base, "subject", "two\nlines"))).hasMessageContaining("one line");
    assertThatThrownBy(() -> create(with(base, "html", "{{{record.name}}}"))).hasMessageContaining("option 'html', line 1")
        .hasMessageContaining("unescaped");
    assertThatThrownBy(() -> create(with(base, "text", "a\nb\n{{/oops}}"))).hasMessageContaining("option 'text', line 3");
    assertThatThrownBy(() -> create(with(base, "username", "u"))).hasMessageContaining("'username' and 'password'");
    assertThatThrownBy(() -> create(with(with(base, "mode", "digest"), "toFrom", "to")))
        .hasMessageContaining("'toFrom' needs mode: record");
    assertThatThrownBy(() -> create(with(base, "attachmentName", "../../etc/passwd")))
        .hasMessageContaining("attachmentName");
    Throwable t = catchThrowable(() -> create(with(with(base, "password", PASSWORD), "port", "nope")));
    assertThat(t).hasMessageContaining("port").hasMessageNotContaining(PASSWORD);
    PluginConfig c = PluginConfig.of("x", with(with(base, "username", "u"), "password", PASSWORD));
    assertThat(c.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void templatesFromFilesNameTheFileAndLineInErrors(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path good = java.nio.file.Files.writeString(dir.resolve("alert.html"),
        "<h1>Alert</h1>\n<p>{{record.name}}</p>\n");
    Destination d = create(plain("text", null, "htmlFile", good.toString()));
    assertThat(d.deliver(batch(deal(1, "<b>x</b>", 1)))).matches(DeliveryResult::isSuccess);
    assertThat(Mailbox.partText(mailbox.received().get(0), "text/html").replace("\r\n", "\n"))
        .isEqualTo("<h1>Alert</h1>\n<p>&lt;b&gt;x&lt;/b&gt;</p>"); // the SMTP transport drops the last line end

    java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.html"), "<h1>Alert</h1>\n\n{{#records}}\n");
    assertThatThrownBy(() -> create(plain("text", null, "htmlFile", bad.toString())))
        .isInstanceOf(PluginConfigException.class).hasMessageContaining("option 'htmlFile', " + bad)
        .hasMessageContaining("line");
    assertThatThrownBy(() -> create(plain("htmlFile", dir.resolve("missing.html").toString())))
        .hasMessageContaining("can't read template file");
    assertThatThrownBy(() -> create(plain("textFile", good.toString()))).hasMessageContaining("not both");
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new HashMap<>(base);
    m.put(key, value);
    return m;
  }
}
