package dev.sluice.destinations.slack;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.pipeline.RunReport;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import java.time.Duration;
import java.util.Map;

/**
 * The child JVM of {@link NotifyCrashTest}: one run of the Sluice engine from a sequence source
 * (a checkpoint every {@link #CHECKPOINT_EVERY} records) to the {@code slack} destination (found
 * through ServiceLoader, like in production), with an H2 file store keeping checkpoints and the
 * sent-log. Exits 0 when the run succeeded.
 *
 * <p>Arguments: Slack API base URL, JDBC URL of the store, number of records.
 */
public final class NotifyCrashRun {
  static final String PIPELINE = "deals";
  static final int CHECKPOINT_EVERY = 10;
  /** The stub's token reaches the child JVM in this environment variable (never on its command line). */
  static final String TOKEN_ENV = "SLUICE_TEST_SLACK_TOKEN";

  private NotifyCrashRun() {}

  public static void main(String[] args) {
    String apiBase = args[0];
    String url = args[1];
    long total = Long.parseLong(args[2]);
    RunReport report;
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(url).build());
        // A dead node's run counts as interrupted after 5 missed heartbeats of 100 ms (default: a minute).
        Sluice sluice = Sluice.builder().store(store).heartbeat(Duration.ofMillis(100), 5)
            .destination("alerts", "slack", Map.of("token", SlackStub.TOKEN, "baseUrl", apiBase,
                    "channel", "#alerts", "text", "deal {{record.seq}}", "minInterval", "0s",
                    "requestTimeout", "10m"),
                d -> d.batchSize(5).linger(Duration.ofMillis(5)).concurrency(1))
            .pipeline(PIPELINE, p -> p.source(new Sequence(total)).route(r -> r.to("alerts")))
            .build()) {
      report = sluice.run(PIPELINE);
    }
    System.out.println(report.render());
    System.exit(report.succeeded() ? 0 : 1);
  }

  /** Records seq = 1..total, key "seq-<seq>", a checkpoint {"next": n} every CHECKPOINT_EVERY records. */
  static final class Sequence implements Connector {
    private final long total;

    Sequence(long total) {
      this.total = total;
    }

    @Override
    public void read(ReadContext context, Checkpoint from, Emitter out) throws Exception {
      long next = from == null ? 1 : from.state().get("next").asLong();
      for (long seq = next; seq <= total && !context.isCancelled(); seq++) {
        out.emit(Record.of("seq-" + seq, JsonNodeFactory.instance.objectNode().put("seq", seq)));
        if (seq % CHECKPOINT_EVERY == 0 || seq == total) {
          out.checkpoint(Checkpoint.of("next", seq + 1));
        }
      }
    }
  }
}
