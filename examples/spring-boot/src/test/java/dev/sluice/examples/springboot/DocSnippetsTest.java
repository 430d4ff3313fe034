package dev.sluice.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/user-guide/spring-boot.md shows only real code: each of its YAML and Java blocks is one of
 * this example's files, character for character (so the tests of this module test them), and the
 * artifacts of its Maven snippet are the ones this example depends on.
 */
class DocSnippetsTest {
  private static final Path DOC = Path.of("../../docs/user-guide/spring-boot.md");
  private static final Pattern BLOCK = Pattern.compile("(?m)^```(yaml|java|xml)\\n(.*?)^```$", Pattern.DOTALL);

  private static List<String[]> blocks() throws IOException {
    List<String[]> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(Files.readString(DOC, StandardCharsets.UTF_8));
    while (m.find()) {
      out.add(new String[] {m.group(1), m.group(2)});
    }
    return out;
  }

  private static List<String> sources(String folder, String extension) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of(folder))) {
      for (Path f : files.filter(p -> p.toString().endsWith(extension)).toList()) {
        out.add(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  @Test
  void yamlAndJavaBlocksAreTheExamplesFiles() throws Exception {
    List<String[]> blocks = blocks();
    assertThat(blocks).extracting(b -> b[0]).contains("yaml", "java", "xml");
    List<String> yaml = sources("src/main/resources", ".yaml");
    List<String> java = sources("src/main/java", ".java");
    for (String[] b : blocks) {
      switch (b[0]) {
        case "yaml" -> assertThat(yaml).as("a yaml block of the doc").contains(b[1]);
        case "java" -> assertThat(java).as("a java block of the doc").contains(b[1]);
        default -> {
          String pom = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
          Matcher a = Pattern.compile("<artifactId>(sluice-[a-z-]+)</artifactId>").matcher(b[1]);
          while (a.find()) {
            if (!a.group(1).equals("sluice-bom")) {
              assertThat(pom).as("the example uses %s", a.group(1)).contains("<artifactId>" + a.group(1) + "</artifactId>");
            }
          }
        }
      }
    }
  }
}
