package dev.sluice.jdbc.crash;

import dev.sluice.Sluice;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.pipeline.RunReport;
import dev.sluice.record.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The child JVM of {@link FileAppendCrashSafetyTest}: one run of the {@code file} connector over a
 * sequence-numbered JSON Lines file into a {@code file} destination in {@code append} mode, with the
 * JDBC store on an embedded H2 file keeping the checkpoint. Prints where it starts (the checkpoint
 * and the lines already in the output), then the report; exits 0 when the run succeeded.
 *
 * <p>Arguments: H2 database file, input file, output file.
 */
public final class FileSequenceRun {
  static final String PIPELINE = "file-sequence";

  private FileSequenceRun() {}

  public static void main(String[] args) throws IOException {
    String url = "jdbc:h2:file:" + args[0];
    Path input = Path.of(args[1]);
    Path output = Path.of(args[2]);
    RunReport report;
    try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(url).build())) {
      long consumed = store.checkpoints().load(PIPELINE).map(Checkpoint::state)
          .map(s -> s.path("records").asLong()).orElse(0L);
      System.out.println("start: checkpoint records=" + consumed + " output lines=" + lines(output));
      try (Sluice sluice = Sluice.builder().store(store)
          // Small batches, two in flight (they may land out of order), paced to ~10,000 records/s
          // so that a run lasts long enough to be killed in the middle.
          .destination("target", "file", Map.of("path", output.toString(), "mode", "append"),
              d -> d.batchSize(50).linger(Duration.ofMillis(5)).concurrency(2).rateLimit(20, Duration.ofMillis(100)))
          .pipeline(PIPELINE, p -> p
              .source("file", Map.of("path", input.toString(), "key", "seq", "checkpointEvery", 100))
              .route(r -> r.to("target")))
          .build()) {
        report = sluice.run(PIPELINE);
      }
    }
    System.out.println(report.render());
    System.exit(report.succeeded() ? 0 : 1);
  }

  static long lines(Path file) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(file)) {
      return lines.count();
    }
  }
}
