package dev.sluice.jdbc.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code file} destination in {@code append} mode under SIGKILL: a child JVM reads a
 * sequence-numbered JSON Lines file with the {@code file} connector and appends every record to
 * an output file, keeping its checkpoint in an embedded H2 file (the JDBC store: the state must
 * outlive the process, which the in-memory store does not). It is killed at random points ten
 * times and restarted each time; the last run finishes. Afterwards the output holds every sequence
 * number exactly once, with its payload, and no half line: the checkpoint never passed an
 * unwritten record, batches torn by a kill were cut off, and records read again after a kill
 * (the checkpoint lagged what was written) were not appended twice.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FileAppendCrashSafetyTest {
  // Enough that ten kills at random points land before the end also when the children run fast
  // (20,000 were all written by the ninth kill once the store stopped delaying its commits).
  private static final int RECORDS = 60_000;
  private static final int KILLS = 10;
  private static final Pattern START = Pattern.compile("start: checkpoint records=(\\d+) output lines=(\\d+)");

  @TempDir Path dir;

  @Test
  void killedTenTimesMidRunEveryRecordIsInTheOutputExactlyOnce() throws Exception {
    Path input = dir.resolve("in/sequence.jsonl");
    Path output = dir.resolve("out/sequence.jsonl");
    Files.createDirectories(input.getParent());
    try (BufferedWriter w = Files.newBufferedWriter(input)) {
      for (int seq = 1; seq <= RECORDS; seq++) {
        w.write("{\"seq\":" + seq + ",\"payload\":\"p" + seq + "\"}\n");
      }
    }
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<Long> linesAfterKill = new ArrayList<>();
    int killed = 0;
    for (int i = 1; i <= KILLS; i++) {
      long before = bytesIn(output.getParent());
      Process child = start(input, output, "run-" + i);
      // Kill once the child is writing (JVM start-up takes a second or two), at a random point.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (bytesIn(output.getParent()) <= before && child.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (!child.waitFor(random.nextInt(400), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, no flush
        child.waitFor();
        killed++;
      }
      linesAfterKill.add(FileSequenceRun.lines(output));
    }
    Process last = start(input, output, "final");
    assertThat(last.waitFor(3, TimeUnit.MINUTES)).as("the final run finishes").isTrue();
    assertThat(last.exitValue()).as("the final run succeeds; see " + dir.resolve("final.log")).isZero();

    // How often a restart found more in the output than its checkpoint covered: records it read again.
    int rereads = 0;
    for (int i = 2; i <= KILLS + 1; i++) {
      String log = Files.readString(dir.resolve((i <= KILLS ? "run-" + i : "final") + ".log"));
      Matcher m = START.matcher(log);
      assertThat(m.find()).as("start line in run " + i).isTrue();
      if (Long.parseLong(m.group(2)) > Long.parseLong(m.group(1))) {
        rereads++;
      }
    }
    String why = "seed " + seed + ", lines after each kill " + linesAfterKill + ", restarts that re-read " + rereads;
    System.out.println("file crash test: " + why);
    for (int i = 1; i <= KILLS + 1; i++) {
      String name = i <= KILLS ? "run-" + i : "final";
      Files.readString(dir.resolve(name + ".log")).lines().filter(l -> l.startsWith("start:") || l.contains("WARN"))
          .forEach(l -> System.out.println(name + ": " + l));
    }
    assertThat(killed).as("every child was killed, none finished: " + why).isEqualTo(KILLS);
    assertThat(linesAfterKill).as("every kill landed before the end of the work: " + why)
        .allSatisfy(n -> assertThat(n).isLessThan(RECORDS));
    assertThat(rereads).as("some restarts read records again that were already written: " + why).isPositive();

    String content = Files.readString(output);
    assertThat(content).as("no half line at the end").endsWith("\n");
    ObjectMapper mapper = new ObjectMapper();
    BitSet seen = new BitSet(RECORDS + 1);
    List<Long> twice = new ArrayList<>();
    long lines = 0;
    for (String line : content.split("\n")) {
      JsonNode n = mapper.readTree(line);
      long seq = n.get("seq").asLong();
      assertThat(n.get("payload").asText()).as("payload of " + seq).isEqualTo("p" + seq);
      if (seen.get((int) seq)) {
        twice.add(seq);
      }
      seen.set((int) seq);
      lines++;
    }
    assertThat(twice).as("sequence numbers written twice; " + why).isEmpty();
    assertThat(seen.cardinality()).as("distinct sequence numbers; " + why).isEqualTo(RECORDS);
    assertThat(lines).isEqualTo(RECORDS);
    try (Stream<Path> files = Files.list(output.getParent())) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .as("only the output and the journal").containsExactlyInAnyOrder("sequence.jsonl", ".target.sluice-journal");
    }
  }

  /** Bytes of the output and any file in progress in the folder (not the journal). */
  private static long bytesIn(Path folder) throws Exception {
    if (!Files.isDirectory(folder)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> !f.getFileName().toString().contains(".sluice-journal"))
          .mapToLong(f -> f.toFile().length()).sum();
    }
  }

  private Process start(Path input, Path output, String name) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        FileSequenceRun.class.getName(), dir.resolve("state").toString(), input.toString(), output.toString())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile())
        .start();
  }
}
