package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ```bash} blocks of {@code README.md} and {@code docs/} marked runnable run, with the
 * {@code sluice} command this build packaged ({@code cli/target/sluice.jar}), and succeed.
 *
 * <p>A runnable block has the marker {@code <!-- run: uses DIR[, DIR...] -->} on the line before
 * it. The runnable blocks of one page run in order, in one {@code bash -euo pipefail} session
 * (a {@code cd} in one block holds for the next, as in a reader's terminal), starting at the root of a scratch copy of the repository that holds the folders they use (copied
 * without their {@code data/}, {@code out/} and {@code target/}) and {@code cli/target/sluice.jar}:
 * a page's commands work on a fresh clone after the quick start's build, as a reader runs them.
 */
class DocsShellIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern BLOCK = Pattern.compile("(?:^|\\n)([^\\n]*)\\n```(?:bash|sh)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern MARKER = Pattern.compile("<!--\\s*run:\\s*uses\\s+(.*?)\\s*-->");
  private static final Set<String> NOT_COPIED = Set.of("data", "out", "target");

  @TempDir Path scratch;

  @TestFactory
  Stream<DynamicTest> runnableShellBlocksSucceed() throws IOException {
    Map<String, List<String[]>> pages = new LinkedHashMap<>(); // page -> [uses, script]
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    for (Path file : files) {
      String text = Files.readString(file);
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        Matcher marker = MARKER.matcher(m.group(1));
        if (marker.find()) {
          pages.computeIfAbsent(ROOT.relativize(file).toString(), k -> new ArrayList<>())
              .add(new String[] {marker.group(1), m.group(2)});
        }
      }
    }
    assertThat(pages).as("pages with runnable shell blocks").isNotEmpty();
    return pages.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> run(e.getKey(), e.getValue())));
  }

  private void run(String page, List<String[]> blocks) throws Exception {
    Path jar = ROOT.resolve("cli/target/sluice.jar");
    assertThat(jar).as("the packaged sluice command (this test runs after `package`)").exists();
    Path root = Files.createDirectories(scratch.resolve(page.replaceAll("[^A-Za-z0-9]", "_")));
    Files.createDirectories(root.resolve("cli/target"));
    Files.copy(jar, root.resolve("cli/target/sluice.jar"));
    Set<String> uses = new LinkedHashSet<>();
    StringBuilder script = new StringBuilder();
    for (String[] block : blocks) {
      for (String dir : block[0].split("\\s*,\\s*")) {
        uses.add(dir);
      }
      script.append(block[1]).append('\n'); // as a reader runs them: one shell, cd carries over
    }
    for (String dir : uses) {
      copyTree(ROOT.resolve(dir), root.resolve(dir));
    }
    ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script.toString())
        .directory(root.toFile()).redirectErrorStream(true);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the blocks of %s finish", page).isTrue();
    String tail = output.length() > 6000 ? "…" + output.substring(output.length() - 6000) : output;
    assertThat(p.exitValue()).as("the runnable blocks of %s:%n%s%noutput (end):%n%s", page, script, tail).isZero();
    assertThat(output).as("%s ran a pipeline with the sluice command", page).contains("succeeded");
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path rel = from.relativize(p);
        if (rel.getNameCount() > 0 && NOT_COPIED.contains(rel.getName(0).toString())) {
          continue;
        }
        Path target = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }
}
