package dev.sluice.jdbc.crash;

import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.pipeline.RunReport;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The child JVM of {@link CrashSafetyTest}: one run of a sequence-numbered source into a
 * PostgreSQL table (the {@code database} destination in upsert mode), with the JDBC store on the
 * same database keeping the checkpoint. Exits 0 when the run succeeded. Its node heartbeats every
 * {@link #HEARTBEAT} and counts as gone after {@link #MISSED_HEARTBEATS} missed ones.
 *
 * <p>Arguments: JDBC URL, number of records.
 */
public final class SequenceRun {
  static final String TABLE = "sequence_target";
  static final String PIPELINE = "sequence";
  static final Duration HEARTBEAT = Duration.ofMillis(100);
  static final int MISSED_HEARTBEATS = 5;

  private SequenceRun() {}

  public static void main(String[] args) {
    String url = args[0];
    long total = Long.parseLong(args[1]);
    RunReport report;
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(url).username("postgres").build());
        Sluice sluice = Sluice.builder().store(store).heartbeat(HEARTBEAT, MISSED_HEARTBEATS)
            .destination("target", "database", Map.of(
                    "url", url, "username", "postgres", "table", TABLE, "mode", "upsert",
                    "upsertKey", List.of("seq"), "createTable", true,
                    "columns", Map.of("seq", Map.of("path", "$.seq", "type", "bigint"), "payload", "$.payload")),
                d -> d.batchSize(100).linger(Duration.ofMillis(10)).concurrency(2))
            .pipeline(PIPELINE, p -> p.source(new SequenceSource(total)).route(r -> r.to("target")))
            .build()) {
      report = sluice.run(PIPELINE);
    }
    System.out.println(report.render());
    System.exit(report.succeeded() ? 0 : 1);
  }

  /**
   * Records {@code seq} = 1..total with payload {@code "p<seq>"}, key {@code "seq-<seq>"}; a
   * checkpoint {@code {"next": n}} every 50 records. Paced (about 10,000 records/s) so a run lasts
   * long enough to be killed in the middle.
   */
  static final class SequenceSource implements Connector {
    private final long total;

    SequenceSource(long total) {
      this.total = total;
    }

    @Override
    public void read(ReadContext context, Checkpoint from, Emitter out) throws Exception {
      long next = from == null ? 1 : from.state().get("next").asLong();
      for (long seq = next; seq <= total && !context.isCancelled(); seq++) {
        out.emit(Record.of("seq-" + seq,
            JsonNodeFactory.instance.objectNode().put("seq", seq).put("payload", "p" + seq)));
        if (seq % 50 == 0 || seq == total) {
          out.checkpoint(Checkpoint.of("next", seq + 1));
        }
        if (seq % 10 == 0) {
          Thread.sleep(1);
        }
      }
    }
  }
}
