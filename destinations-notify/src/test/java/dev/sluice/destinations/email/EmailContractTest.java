package dev.sluice.destinations.email;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.notify.TestContext;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.Destination;
import dev.sluice.spi.PluginConfig;
import dev.sluice.testkit.DestinationContract;
import jakarta.mail.internet.MimeMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The testkit's destination contract for {@code email} (one message per record, the record's JSON
 * as text body) against GreenMail. With the sent-log on (the default) a batch delivered twice is
 * mailed once: {@link Redelivery#DEDUPLICATED}.
 */
class EmailContractTest extends DestinationContract {
  private final ObjectMapper mapper = new ObjectMapper();
  private Mailbox mailbox;

  @Override
  protected Destination createDestination() throws Exception {
    mailbox = new Mailbox("smtp");
    PluginConfig config = PluginConfig.of("destination 'contract-email' (type email)", Map.of(
        "host", "127.0.0.1", "port", mailbox.port, "security", "none", "from", "Sluice <sluice@example.com>",
        "to", List.of("ops@example.com"), "toFrom", "to", "subject", "Record {{key}}", "text", "{{json}}"));
    return new EmailDestinationProvider().create(config, new TestContext("contract-email"));
  }

  @AfterEach
  void stopMailbox() {
    if (mailbox != null) {
      mailbox.close();
    }
  }

  @Override
  protected List<ObjectNode> readBack() throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    for (MimeMessage m : mailbox.received()) {
      out.add((ObjectNode) mapper.readTree(Mailbox.partText(m, "text/plain")));
    }
    return out;
  }

  @Override
  protected AutoCloseable simulateOutage() throws Exception {
    destination();
    return mailbox.outage();
  }

  @Override
  protected Redelivery redelivery() {
    return Redelivery.DEDUPLICATED;
  }

  /** Recipients from data that try header injection or are no address at all, between good records. */
  @Override
  protected Batch unacceptableBatch() {
    List<Record> records = new ArrayList<>(sampleRecords(2));
    records.add(1, Record.of("injection", JsonNodeFactory.instance.objectNode().put("id", 98)
        .put("to", "victim@example.com\r\nBcc: everyone@example.com")));
    records.add(Record.of("not-an-address", JsonNodeFactory.instance.objectNode().put("id", 99)
        .put("to", "just some words")));
    return batchOf("unacceptable", records);
  }
}
