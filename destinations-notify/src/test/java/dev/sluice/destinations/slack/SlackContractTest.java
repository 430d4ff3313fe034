package dev.sluice.destinations.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.notify.TestContext;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.Destination;
import dev.sluice.spi.PluginConfig;
import dev.sluice.testkit.DestinationContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/**
 * The testkit's destination contract for {@code slack} (chat.postMessage, one message per record,
 * the record's JSON as text) against {@link SlackStub}. With the sent-log on (the default) a batch
 * delivered twice is posted once: {@link Redelivery#DEDUPLICATED}.
 */
class SlackContractTest extends DestinationContract {
  private final ObjectMapper mapper = new ObjectMapper();
  private SlackStub stub;

  @Override
  protected Destination createDestination() throws Exception {
    stub = new SlackStub();
    TestContext context = new TestContext("contract-slack");
    PluginConfig config = PluginConfig.of("destination 'contract-slack' (type slack)", Map.of(
        "token", SlackStub.TOKEN, "baseUrl", stub.apiBase(), "channel", "#general", "channelFrom", "channel",
        "text", "{{json}}"));
    // Pacing waits on the test clock only: the sleeper moves it.
    return SlackDestinationProvider.create(config, context, d -> context.clock().advance(d), null);
  }

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.close();
    }
  }

  @Override
  protected List<ObjectNode> readBack() {
    List<ObjectNode> out = new ArrayList<>();
    for (SlackStub.Post p : stub.accepted()) {
      // Slack shows &amp; &lt; &gt; as & < >: undo the mrkdwn escaping to get the JSON back.
      if (p.text().endsWith("…")) {
        continue; // a 100,000 character record, cut to Slack's 40,000: not JSON any more (SlackDestinationTest checks the cut)
      }
      String text = p.text().replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
      try {
        out.add((ObjectNode) mapper.readTree(text));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  @Override
  protected AutoCloseable simulateOutage() throws Exception {
    destination(); // the stub starts with the destination
    stub.outage = true;
    return () -> stub.outage = false;
  }

  @Override
  protected Redelivery redelivery() {
    return Redelivery.DEDUPLICATED;
  }

  /** A record naming a channel Slack does not know (channel_not_found), between two good ones. */
  @Override
  protected Batch unacceptableBatch() {
    List<Record> records = new ArrayList<>(sampleRecords(2));
    ObjectNode bad = JsonNodeFactory.instance.objectNode().put("id", 99).put("channel", "#no-such-channel");
    records.add(1, Record.of("bad-channel", bad));
    ObjectNode invalid = JsonNodeFactory.instance.objectNode().put("id", 100).put("channel", "<!channel> x");
    records.add(Record.of("invalid-channel", invalid));
    return batchOf("unacceptable", records);
  }
}
