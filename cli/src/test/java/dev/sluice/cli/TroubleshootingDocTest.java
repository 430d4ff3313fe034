package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/user-guide/troubleshooting.md promises to list every exception a user can meet: each class
 * of every module's main sources that extends {@code SluiceException} has a heading there.
 */
class TroubleshootingDocTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern SUBCLASS =
      Pattern.compile("class\\s+(\\w+)\\s+extends\\s+(?:dev\\.sluice\\.)?SluiceException\\b");

  @Test
  void everySluiceExceptionHasASection() throws IOException {
    Set<String> classes = new TreeSet<>();
    try (Stream<Path> files = Files.walk(ROOT, 12)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/main/java/"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .toList()) {
        Matcher m = SUBCLASS.matcher(Files.readString(f));
        while (m.find()) {
          classes.add(m.group(1));
        }
      }
    }
    assertThat(classes).as("exception classes found").contains("InvalidConfigException", "JdbcStoreException");
    Set<String> headings = Files.readAllLines(ROOT.resolve("docs/user-guide/troubleshooting.md")).stream()
        .filter(l -> l.startsWith("### "))
        .map(l -> l.substring(4).strip())
        .collect(Collectors.toSet());
    List<String> missing = classes.stream().filter(c -> !headings.contains(c)).toList();
    assertThat(missing).as("exceptions without a section in docs/user-guide/troubleshooting.md").isEmpty();
  }
}
