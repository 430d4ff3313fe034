package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.DocumentationTool;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Builds the aggregated Javadoc of every library module (the site a user reads, in
 * {@code cli/target/apidocs}) with all of doclint on, and fails on any warning or error: every
 * public type and member of the API has a comment, every parameter, return value and declared
 * exception is described, and every {@code {@link}} resolves. Packages named {@code internal} are
 * not API and are left out. JDK types link to the platform's documentation (javadoc's built-in
 * list), Jackson types to Jackson's (the package list is read from the jar on the class path, no
 * download).
 */
class JavadocTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** Modules that are not library API, or whose dependencies the CLI does not carry. */
  private static final Set<String> NOT_API =
      Set.of("benchmarks", "examples", "plugin-archetype", "spring-boot-starter", "cli", "deployment-tests");
  private static final Pattern PROBLEM = Pattern.compile("(?m)^.*(warning|error):.*$");

  @Test
  void theApiDocumentationBuildsWithoutAWarning() throws IOException {
    List<String> sourceRoots = new ArrayList<>();
    Set<String> internal = new TreeSet<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
        Path src = module.resolve("src/main/java");
        if (NOT_API.contains(module.getFileName().toString()) || !Files.isDirectory(src)) {
          continue;
        }
        sourceRoots.add(src.toString());
        try (Stream<Path> dirs = Files.walk(src)) {
          // Every package under an internal one, named: javadoc 17's -exclude left subpackages in.
          dirs.filter(Files::isDirectory)
              .map(d -> src.relativize(d).toString().replace('/', '.'))
              .filter(pkg -> pkg.equals("internal") || pkg.endsWith(".internal") || pkg.contains(".internal."))
              .forEach(internal::add);
        }
      }
    }
    assertThat(sourceRoots).as("library modules").hasSizeGreaterThan(8);
    Path out = Path.of("target/apidocs");
    if (Files.exists(out)) { // a fresh site: pages left by an earlier build must not pass for this one's
      try (Stream<Path> old = Files.walk(out)) {
        for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Path jacksonList = Path.of("target/javadoc-links/jackson");
    writeElementList(jacksonList, "com.fasterxml.jackson.databind", "com.fasterxml.jackson.core");

    List<String> args = new ArrayList<>(List.of(
        "-quiet", "-Xdoclint:all", "-Xmaxwarns", "100000", "-Xmaxerrs", "100000",
        "-d", out.toString(),
        "--source-path", String.join(java.io.File.pathSeparator, sourceRoots),
        "-cp", System.getProperty("java.class.path"),
        "-subpackages", "dev.sluice",
        "-exclude", String.join(":", internal),
        "-overview", ROOT.resolve("docs/javadoc/overview.html").toString(),
        "-doctitle", "Sluice API",
        "-windowtitle", "Sluice API",
        "-linkoffline", "https://javadoc.io/doc/com.fasterxml.jackson.core/jackson-databind/latest/",
        jacksonList.toString()));
    DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status;
    try (PrintWriter w = new PrintWriter(log, true, StandardCharsets.UTF_8)) {
      status = javadoc.run(null, log, log, args.toArray(String[]::new));
    }
    String output = log.toString(StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    Matcher m = PROBLEM.matcher(output);
    while (m.find()) {
      problems.add(m.group().replace(ROOT + "/", ""));
    }
    assertThat(problems).as("javadoc warnings and errors (%d)", problems.size()).isEmpty();
    assertThat(status).as("javadoc exit status; output:%n%s", output).isZero();
    assertThat(out.resolve("index.html")).exists();
    assertThat(Files.readString(out.resolve("index.html"))).contains("Where to start");
    assertThat(out.resolve("dev/sluice/Sluice.html")).exists();
    assertThat(out.resolve("dev/sluice/internal")).doesNotExist();
    String record = Files.readString(out.resolve("dev/sluice/record/Record.html"));
    assertThat(record).as("links into the JDK's and Jackson's documentation")
        .contains("docs.oracle.com/en/java/javase/17/docs/api/")
        .contains("javadoc.io/doc/com.fasterxml.jackson.core/jackson-databind/latest/com/fasterxml/jackson/databind/node/ObjectNode.html");
  }

  /** The packages of the jars that hold {@code packages} on the class path, as javadoc's element-list. */
  private static void writeElementList(Path dir, String... packages) throws IOException {
    Set<String> names = new TreeSet<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!entry.endsWith(".jar")) {
        continue;
      }
      try (JarFile jar = new JarFile(entry)) {
        String first = packages[0].replace('.', '/') + "/";
        String second = packages[1].replace('.', '/') + "/";
        boolean wanted = jar.getEntry(first) != null || jar.getEntry(second) != null
            || jar.stream().anyMatch(e -> e.getName().startsWith(first) || e.getName().startsWith(second));
        if (!wanted) {
          continue;
        }
        jar.stream().map(e -> e.getName())
            .filter(n -> n.endsWith(".class") && n.startsWith("com/fasterxml/jackson/") && n.lastIndexOf('/') > 0)
            .map(n -> n.substring(0, n.lastIndexOf('/')).replace('/', '.'))
            .forEach(names::add);
      }
    }
    assertThat(names).as("Jackson packages on the class path").contains(packages);
    Files.createDirectories(dir);
    Files.write(dir.resolve("element-list"), names);
  }
}
