package dev.sluice.destinations.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.RunInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDestinationTest {
  @TempDir Path dir;
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T10:15:30Z"), ZoneOffset.UTC);

  private FileDestination destination(String path, FileFormat format, FileDestination.Mode mode, List<String> columns) {
    return new FileDestination("out", dir.resolve(path).toString(), format, mode, columns, true, false,
        new ObjectMapper(), clock);
  }

  private static Record rec(int id, String name) {
    ObjectNode n = JsonNodeFactory.instance.objectNode().put("id", id).put("name", name);
    n.putObject("meta").put("x", 1);
    return Record.of("k" + id, n);
  }

  private static Batch batch(String run, Record... records) {
    return Batch.of("orders", "out", run, List.of(records));
  }

  private static void finish(FileDestination d, String run) throws Exception {
    d.finishRun(new RunInfo("orders", run, Instant.EPOCH), true);
  }

  private long inProgressFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".inprogress")).count();
    }
  }

  @Test
  void theTargetAppearsOnlyWhenTheRunFinishes() throws Exception {
    FileDestination d = destination("out/orders.jsonl", FileFormat.JSONL, FileDestination.Mode.OVERWRITE, List.of());
    d.deliver(batch("r1", rec(1, "a"), rec(2, "b")));
    Path target = dir.resolve("out/orders.jsonl");
    assertThat(target).doesNotExist();

    finish(d, "r1");

    assertThat(Files.readAllLines(target)).containsExactly(
        "{\"id\":1,\"name\":\"a\",\"meta\":{\"x\":1}}", "{\"id\":2,\"name\":\"b\",\"meta\":{\"x\":1}}");
  }

  @Test
  void overwriteReplacesAndARunWithoutRecordsLeavesTheTargetAlone() throws Exception {
    FileDestination d = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.OVERWRITE, List.of());
    d.deliver(batch("r1", rec(1, "a")));
    finish(d, "r1");
    d.deliver(batch("r2", rec(2, "b")));
    finish(d, "r2");
    finish(d, "r3-empty");
    assertThat(Files.readAllLines(dir.resolve("o.jsonl"))).containsExactly("{\"id\":2,\"name\":\"b\",\"meta\":{\"x\":1}}");
  }

  @Test
  void csvAppendWritesTheHeaderOnceAndNestedValuesAsJson() throws Exception {
    FileDestination d = destination("o.csv", FileFormat.CSV, FileDestination.Mode.APPEND, List.of());
    d.deliver(batch("r1", rec(1, "a, with comma")));
    finish(d, "r1");
    d.deliver(batch("r2", rec(2, "b")));
    finish(d, "r2");
    assertThat(Files.readAllLines(dir.resolve("o.csv"))).containsExactly(
        "id,name,meta", "1,\"a, with comma\",\"{\"\"x\"\":1}\"", "2,b,\"{\"\"x\"\":1}\"");
  }

  @Test
  void configuredColumnsPickAndOrderFields() throws Exception {
    FileDestination d = destination("o.csv", FileFormat.CSV, FileDestination.Mode.OVERWRITE, List.of("name", "missing", "id"));
    d.deliver(batch("r1", rec(1, "a")));
    finish(d, "r1");
    assertThat(Files.readAllLines(dir.resolve("o.csv"))).containsExactly("name,missing,id", "a,,1");
  }

  @Test
  void placeholdersResolvePerRun() throws Exception {
    FileDestination d = destination("{pipeline}/{date}/part-{run}.jsonl", FileFormat.JSONL, FileDestination.Mode.OVERWRITE, List.of());
    d.deliver(batch("run1", rec(1, "a")));
    finish(d, "run1");
    assertThat(dir.resolve("orders/2026-11-25/part-run1.jsonl")).exists();
  }

  @Test
  void appendModeWritesEachBatchToTheTargetBeforeAcknowledgingIt() throws Exception {
    FileDestination d = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    d.deliver(batch("r1", rec(1, "a")));
    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"));
    d.deliver(batch("r1", rec(2, "b")));
    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"), json(2, "b"));
    finish(d, "r1");
    assertThat(inProgressFiles()).isZero();
  }

  @Test
  void recordsReadAgainAfterACrashAreNotAppendedTwice() throws Exception {
    FileDestination crashed = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    crashed.deliver(batch("r1", rec(1, "a"), rec(2, "b")));
    crashed.deliver(batch("r1", rec(3, "c")));
    crashed.close(); // the process dies: no finishRun, the checkpoint was still before record 1

    FileDestination restarted = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    restarted.recoverInterruptedRuns();
    restarted.deliver(batch("r2", rec(1, "a"), rec(2, "b"))); // the next run reads them again
    restarted.deliver(batch("r2", rec(3, "c"), rec(4, "d")));
    finish(restarted, "r2");

    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"), json(2, "b"), json(3, "c"), json(4, "d"));
  }

  @Test
  void aCrashBetweenCopyAndDeleteOfAnOldInProgressFileDoesNotDuplicate() throws Exception {
    // What the copy-then-delete publish left when the process died between the two steps.
    Files.writeString(dir.resolve("o.jsonl"), json(1, "a") + "\n" + json(2, "b") + "\n");
    Files.writeString(dir.resolve(".o.jsonl.r1.inprogress"), json(1, "a") + "\n" + json(2, "b") + "\n");

    FileDestination restarted = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    restarted.recoverInterruptedRuns();
    restarted.deliver(batch("r2", rec(3, "c")));
    finish(restarted, "r2");

    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"), json(2, "b"), json(3, "c"));
  }

  @Test
  void aHalfWrittenBatchIsCutOffOnRecoveryEvenUnderPlaceholderDirectories() throws Exception {
    String template = "{pipeline}/{date}/o.jsonl";
    FileDestination crashed = destination(template, FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    crashed.deliver(batch("r1", rec(1, "a")));
    crashed.close();
    Path target = dir.resolve("orders/2026-11-25/o.jsonl");
    // The process died in the middle of appending the next batch: half a line is on disk.
    Files.writeString(target, "{\"id\":2,\"na", java.nio.file.StandardOpenOption.APPEND);

    FileDestination restarted = destination(template, FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    assertThat(restarted.recoverInterruptedRuns()).isEqualTo(1);

    assertThat(Files.readString(target)).isEqualTo(json(1, "a") + "\n");
  }

  @Test
  void aBatchThatCannotBeWrittenFailsRetryablyAndLeavesNothingBehind() throws Exception {
    FileDestination d = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    d.deliver(batch("r1", rec(1, "a")));
    finish(d, "r1");
    Files.move(dir.resolve("o.jsonl"), dir.resolve("kept.jsonl"));
    Files.createDirectory(dir.resolve("o.jsonl")); // the target cannot be opened as a file

    assertThatThrownBy(() -> d.deliver(batch("r2", rec(2, "b"))))
        .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("o.jsonl");

    Files.delete(dir.resolve("o.jsonl"));
    Files.move(dir.resolve("kept.jsonl"), dir.resolve("o.jsonl"));
    d.deliver(batch("r2", rec(2, "b"))); // the engine's retry
    finish(d, "r2");
    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"), json(2, "b"));
  }

  @Test
  void aRecordTheSourceHoldsTwiceIsWrittenTwiceAcrossACrash() throws Exception {
    FileDestination crashed = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    crashed.deliver(batch("r1", rec(1, "a")));
    crashed.close();

    FileDestination restarted = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    // Re-read: record 1, then the same record 1 again further on in the source (a real repeat).
    restarted.deliver(batch("r2", rec(1, "a"), rec(1, "a")));
    finish(restarted, "r2");

    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"), json(1, "a"));
  }

  @Test
  void recordsOfAFailedRunAreNotWrittenAgainByTheNextRunInTheSameProcess() throws Exception {
    FileDestination d = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.APPEND, List.of());
    d.deliver(batch("r1", rec(1, "a"), rec(2, "b")));
    d.finishRun(new RunInfo("orders", "r1", Instant.EPOCH), false);
    d.deliver(batch("r2", rec(2, "b"), rec(3, "c")));
    finish(d, "r2");
    // A changed record with the same key is new content, not a repeat.
    d.deliver(batch("r3", rec(3, "c2")));
    finish(d, "r3");
    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"), json(2, "b"), json(3, "c"), json(3, "c2"));
  }

  @Test
  void overwriteRunThatDiesIsContinuedAndPublishedByTheNextRun() throws Exception {
    FileDestination crashed = destination("{date}/o.csv", FileFormat.CSV, FileDestination.Mode.OVERWRITE, List.of());
    crashed.deliver(batch("r1", rec(1, "a")));
    crashed.deliver(batch("r1", rec(2, "b")));
    crashed.close();
    Path target = dir.resolve("2026-11-25/o.csv");
    assertThat(target).doesNotExist();

    FileDestination restarted = destination("{date}/o.csv", FileFormat.CSV, FileDestination.Mode.OVERWRITE, List.of());
    assertThat(restarted.recoverInterruptedRuns()).isEqualTo(1);
    restarted.deliver(batch("r2", rec(2, "b"), rec(3, "c"))); // 2 again: the checkpoint was before it
    finish(restarted, "r2");

    assertThat(Files.readAllLines(target)).containsExactly(
        "id,name,meta", "1,a,\"{\"\"x\"\":1}\"", "2,b,\"{\"\"x\"\":1}\"", "3,c,\"{\"\"x\"\":1}\"");
    try (Stream<Path> files = Files.list(dir.resolve("2026-11-25"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("o.csv");
    }
  }

  @Test
  void aFailedOverwriteRunLeavesTheTargetAloneAndTheNextRunPublishesEverything() throws Exception {
    FileDestination d = destination("o.jsonl", FileFormat.JSONL, FileDestination.Mode.OVERWRITE, List.of());
    d.deliver(batch("r1", rec(1, "a")));
    finish(d, "r1");
    d.deliver(batch("r2", rec(2, "b")));
    d.finishRun(new RunInfo("orders", "r2", Instant.EPOCH), false);
    assertThat(lines("o.jsonl")).containsExactly(json(1, "a"));

    finish(d, "r3-reads-nothing-new");
    assertThat(lines("o.jsonl")).containsExactly(json(2, "b"));
  }

  @Test
  void csvAppendKeepsTheExistingHeadersColumns() throws Exception {
    Files.writeString(dir.resolve("o.csv"), "name,id\nz,0\n");
    FileDestination d = destination("o.csv", FileFormat.CSV, FileDestination.Mode.APPEND, List.of());
    d.deliver(batch("r1", rec(1, "a")));
    finish(d, "r1");
    assertThat(lines("o.csv")).containsExactly("name,id", "z,0", "a,1");
  }

  @Test
  void recoveryLeavesOtherDestinationsFilesAlone() throws Exception {
    Files.writeString(dir.resolve(".other.csv.run9.inprogress"), "id\n1\n");
    FileDestination d = destination("o.csv", FileFormat.CSV, FileDestination.Mode.APPEND, List.of());
    assertThat(d.recoverInterruptedRuns()).isZero();
    assertThat(inProgressFiles()).isEqualTo(1);
  }

  private List<String> lines(String file) throws Exception {
    return Files.readAllLines(dir.resolve(file));
  }

  private static String json(int id, String name) {
    return "{\"id\":" + id + ",\"name\":\"" + name + "\",\"meta\":{\"x\":1}}";
  }
}
