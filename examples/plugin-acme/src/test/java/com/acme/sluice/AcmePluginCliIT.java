package com.acme.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged plugin jar, dropped into a plugins folder, loaded by the {@code sluice} command in a
 * JVM of its own whose class path holds Sluice but not this plugin (as a user runs it).
 * Runs after {@code package} (failsafe), since it needs the jar.
 */
class AcmePluginCliIT {
  @TempDir Path tmp;

  private static Path pluginJar() {
    Path jar = Path.of(System.getProperty("acme.plugin.jar", "target/missing.jar"));
    assertThat(jar).as("the packaged plugin jar (run mvn verify)").isRegularFile();
    return jar;
  }

  /** This JVM's class path without the plugin's own classes: Sluice, its CLI and their libraries. */
  private static String hostClassPath() {
    List<Path> own = List.of(Path.of("target/classes").toAbsolutePath(),
        Path.of("target/test-classes").toAbsolutePath(), pluginJar().toAbsolutePath());
    return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .filter(e -> !own.contains(Path.of(e).toAbsolutePath()))
        .collect(Collectors.joining(File.pathSeparator));
  }

  private record Result(int exit, String out) {}

  private Result sluice(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", hostClassPath(), "dev.sluice.cli.SluiceCli"));
    command.addAll(List.of(args));
    Path log = tmp.resolve("sluice-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("sluice %s finished", List.of(args)).isTrue();
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  @Test
  void theCliListsAndRunsThePluginFromAPluginsFolder() throws Exception {
    Path plugins = Files.createDirectories(tmp.resolve("plugins"));
    Path jar = Files.copy(pluginJar(), plugins.resolve(pluginJar().getFileName()));

    Result listed = sluice("plugins", "--plugins", plugins.toString());
    assertThat(listed.exit()).as(listed.out()).isZero();
    assertThat(listed.out())
        .containsPattern("connector\\s+acme\\s+1\\.2\\.0\\s+" + java.util.regex.Pattern.quote(jar.toString()))
        .containsPattern("destination\\s+acme\\s+1\\.2\\.0\\s+" + java.util.regex.Pattern.quote(jar.toString()))
        .containsPattern(jar.getFileName() + "\\s+version 1\\.2\\.0\\s+loaded");

    Path ledger = tmp.resolve("ledger.jsonl");
    Path config = tmp.resolve("sluice.yaml");
    Files.writeString(config, """
        store: { jdbc: "jdbc:h2:file:%s" }
        destinations:
          ledger: { type: acme, path: "%s" }
        pipelines:
          items:
            source: { type: acme, count: 25, checkpointEvery: 10 }
            rules:
              - name: all
                to: [ledger]
        """.formatted(tmp.resolve("data/sluice"), ledger));

    Result run = sluice("once", "items", "-c", config.toString(), "--plugins", plugins.toString(), "--progress", "off");
    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(Files.readAllLines(ledger)).hasSize(25).first().asString().contains("\"key\":\"item-1\"");

    // The checkpoint was committed: a second run reads nothing new and the ledger stays as it was.
    Result again = sluice("once", "items", "-c", config.toString(), "--plugins", plugins.toString(), "--progress", "off");
    assertThat(again.exit()).as(again.out()).isZero();
    assertThat(Files.readAllLines(ledger)).hasSize(25);

    // Without the plugins folder the type is unknown: the plugin really came from the folder.
    Result without = sluice("validate", "-c", config.toString());
    assertThat(without.exit()).isNotZero();
    assertThat(without.out()).contains("acme");
  }
}
