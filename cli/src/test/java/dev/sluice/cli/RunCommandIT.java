package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `sluice run` in its own JVM: cron triggers fire until SIGTERM, then it shuts down gracefully. */
class RunCommandIT {
  @TempDir Path dir;

  @Test
  @Timeout(90)
  void runsTriggersUntilSigtermThenStopsGracefully() throws Exception {
    Path input = dir.resolve("orders.jsonl");
    Files.writeString(input, "{\"id\":1,\"amount\":5}\n{\"id\":2,\"amount\":7}\n");
    Path config = dir.resolve("sluice.yaml");
    Files.writeString(config, """
        store: { type: memory }
        destinations:
          out: { type: file, path: %s, mode: append }
        pipelines:
          every-second:
            source: { type: file, path: %s, key: id }
            triggers:
              - { cron: "* * * * * ?", syntax: quartz }
            rules:
              - to: out
        """.formatted(dir.resolve("out.jsonl"), input));
    Path log = dir.resolve("sluice.log");
    Process p = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        SluiceCli.class.getName(), "run", "-c", config.toString(), "--shutdown-timeout", "PT10S")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Files.exists(dir.resolve("out.jsonl")) && System.nanoTime() < deadline && p.isAlive()) {
        Thread.sleep(100);
      }
      assertThat(dir.resolve("out.jsonl")).as("a cron run delivered; log:%n%s", read(log)).exists();
      assertThat(Files.readString(log)).contains("sluice: running 1 pipeline(s): every-second");
    } finally {
      p.destroy(); // SIGTERM
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
    String output = read(log);
    assertThat(output).contains("sluice: stopping").contains("sluice: stopped");
    assertThat(p.exitValue()).as(output).isIn(0, 143); // 143: terminated by SIGTERM, after the hooks ran
  }

  private static String read(Path log) throws Exception {
    return Files.exists(log) ? Files.readString(log) : "(no log)";
  }
}
