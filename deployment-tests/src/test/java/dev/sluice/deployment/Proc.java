package dev.sluice.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program of the repository (a script, kubectl, shellcheck, java) and keeps its exit code
 * and output. A program that does not end within its timeout is killed and fails the test.
 */
final class Proc {
  /** The repository's root folder (set by the pom; the module folder's parent otherwise). */
  static final Path REPO = Path.of(System.getProperty("sluice.repo", "..")).toAbsolutePath().normalize();

  final List<String> command;
  final int exitCode;
  final String out;
  final String err;

  private Proc(List<String> command, int exitCode, String out, String err) {
    this.command = command;
    this.exitCode = exitCode;
    this.out = out;
    this.err = err;
  }

  static Proc run(String... command) {
    return run(Map.of(), REPO, 120, command);
  }

  static Proc run(Map<String, String> env, Path dir, int timeoutSeconds, String... command) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Path outFile = Files.createTempFile("proc-out", ".txt");
      Path errFile = Files.createTempFile("proc-err", ".txt");
      pb.redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
      Process p;
      try {
        p = pb.start();
      } catch (IOException e) {
        throw new AssertionError("could not start " + command[0] + " (is it installed? .ci/run installs what the tests need): " + e.getMessage(), e);
      }
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
      }
      String out = Files.readString(outFile, StandardCharsets.UTF_8);
      String err = Files.readString(errFile, StandardCharsets.UTF_8);
      Files.deleteIfExists(outFile);
      Files.deleteIfExists(errFile);
      return new Proc(List.of(command), p.exitValue(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  static String script(String name) {
    return REPO.resolve("scripts").resolve(name).toString();
  }

  static String[] cmd(String first, String... rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(Arrays.asList(rest));
    return all.toArray(String[]::new);
  }

  /** The output lines of stdout. */
  List<String> lines() {
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  /** A description for assertion messages: the command, its exit code and both outputs. */
  String describe() {
    return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
  }

  /** The all-in-one jar the cli module builds; fails when it was not built. */
  static Path sluiceJar() {
    Path jar = REPO.resolve("cli/target/sluice.jar");
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: build the cli module first (mvn -pl cli -am package)");
    }
    return jar;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static boolean isRoot() {
    return run(Map.of(), REPO, 10, "id", "-u").out.trim().equals("0");
  }
}
