package dev.sluice.destinations.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
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
  void filesOfARunInterruptedByACrashArePublishedOnTheNextStart() throws Exception {
    FileDestination crashed = destination("o.csv", FileFormat.CSV, FileDestination.Mode.APPEND, List.of());
    crashed.deliver(batch("r1", rec(1, "a")));
    crashed.deliver(batch("r1", rec(2, "b")));
    crashed.close(); // the process dies: no finishRun
    assertThat(dir.resolve("o.csv")).doesNotExist();
    assertThat(inProgressFiles()).isEqualTo(1);

    FileDestination restarted = destination("o.csv", FileFormat.CSV, FileDestination.Mode.APPEND, List.of());
    assertThat(restarted.recoverInterruptedRuns()).isEqualTo(1);

    assertThat(inProgressFiles()).isZero();
    assertThat(Files.readAllLines(dir.resolve("o.csv"))).containsExactly("id,name,meta", "1,a,\"{\"\"x\"\":1}\"", "2,b,\"{\"\"x\"\":1}\"");
  }

  @Test
  void recoveryLeavesOtherDestinationsFilesAlone() throws Exception {
    Files.writeString(dir.resolve(".other.csv.run9.inprogress"), "id\n1\n");
    FileDestination d = destination("o.csv", FileFormat.CSV, FileDestination.Mode.APPEND, List.of());
    assertThat(d.recoverInterruptedRuns()).isZero();
    assertThat(inProgressFiles()).isEqualTo(1);
  }
}
