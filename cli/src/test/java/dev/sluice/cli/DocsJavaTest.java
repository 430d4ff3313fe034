package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of {@code README.md} and {@code docs/} compiles against the current
 * API (the class path of the {@code sluice} command: core, jdbc and every plugin module), so a
 * renamed method breaks this test instead of a reader's copy-paste.
 *
 * <p>A block that declares a type ({@code class}, {@code interface}, {@code record}, {@code enum}
 * at the start of a line) is compiled as a source file; any other block as the body of a method
 * that may throw anything. Common imports are added (Sluice's API packages, {@code java.util},
 * {@code java.time}, {@code java.nio.file}, Jackson's tree model). The line before a block may
 * hold a marker:
 *
 * <ul>
 *   <li>{@code <!-- compile: given DECLARATIONS -->}: fields the block uses but does not declare,
 *       e.g. {@code <!-- compile: given String secret; Sluice sluice; -->};
 *   <li>{@code <!-- compile: skip (REASON) -->}: not compiled (it needs a library the command does
 *       not carry, or shows a signature only); the reason is required.
 * </ul>
 */
class DocsJavaTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern BLOCK = Pattern.compile("(?:^|\\n)([^\\n]*)\\n```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern MARKER = Pattern.compile("<!--\\s*compile:\\s*(.*?)\\s*-->");
  private static final Pattern SKIP = Pattern.compile("skip \\((.*\\S.*)\\)");
  private static final Pattern TYPE = Pattern.compile(
      "(?m)^(public\\s+|final\\s+|abstract\\s+)*(class|interface|record|enum)\\s+(\\w+)");
  private static final String IMPORTS = Stream.of(
          "dev.sluice", "dev.sluice.spi", "dev.sluice.record", "dev.sluice.pipeline", "dev.sluice.schedule",
          "dev.sluice.delivery", "dev.sluice.routing", "dev.sluice.store", "dev.sluice.auth", "dev.sluice.config",
          "java.util", "java.util.function", "java.time", "java.nio.file", "java.io",
          "com.fasterxml.jackson.databind", "com.fasterxml.jackson.databind.node")
      .map(p -> "import " + p + ".*;").collect(Collectors.joining(" "));

  @TempDir Path out;

  record Block(String file, int line, String marker, String java) {
    @Override
    public String toString() {
      return file + ":" + line;
    }
  }

  static List<Block> blocks() throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<Block> blocks = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file);
      Matcher m = BLOCK.matcher(text);
      while (m.find()) {
        Matcher marker = MARKER.matcher(m.group(1));
        int line = (int) text.substring(0, m.start(2)).chars().filter(c -> c == '\n').count();
        blocks.add(new Block(ROOT.relativize(file).toString(), line, marker.find() ? marker.group(1) : null, m.group(2)));
      }
    }
    return blocks;
  }

  @TestFactory
  Stream<DynamicTest> everyJavaBlockOfTheDocsCompiles() throws IOException {
    List<Block> blocks = blocks();
    assertThat(blocks).as("java blocks in README.md and docs/").hasSizeGreaterThanOrEqualTo(8);
    return blocks.stream().map(b -> DynamicTest.dynamicTest(b.toString(), () -> check(b)));
  }

  private void check(Block block) throws IOException {
    String marker = block.marker() == null ? "" : block.marker();
    if (marker.startsWith("skip")) {
      assertThat(marker).as("%s: a skipped block says why: <!-- compile: skip (reason) -->", block).matches(SKIP);
      return;
    }
    String given = marker.startsWith("given ") ? marker.substring(6) : "";
    List<JavaFileObject> units = new ArrayList<>();
    // import and package lines go to the top, whatever kind of block this is
    String pkg = "";
    List<String> imports = new ArrayList<>();
    StringBuilder rest = new StringBuilder();
    for (String line : block.java().split("\n")) {
      if (line.startsWith("import ")) {
        imports.add(line);
      } else if (line.startsWith("package ")) {
        pkg = line;
      } else {
        rest.append(line).append('\n');
      }
    }
    String head = pkg + "\n" + IMPORTS + String.join(" ", imports) + "\n";
    if (TYPE.matcher(rest).find()) {
      // Type declarations: one compilation unit; package-private so that several may share it.
      String types = rest.toString()
          .replaceAll("(?m)^public\\s+(?=(final\\s+|abstract\\s+)*(class|interface|record|enum)\\s)", "");
      units.add(source("Snippet", head + types + "\nclass Snippet { " + given + " }\n"));
    } else {
      units.add(source("Snippet", head + "class Snippet { " + given
          + "\n void run() throws Exception {\n" + rest + "\n }\n}\n"));
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      boolean ok = javac.getTask(null, files, diagnostics,
          List.of("-d", out.toString(), "-classpath", System.getProperty("java.class.path"), "-proc:none",
              "--release", "17"),
          null, units).call();
      List<String> errors = diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .map(d -> "line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
          .toList();
      assertThat(errors).as("%s does not compile:%n%s", block, block.java()).isEmpty();
      assertThat(ok).isTrue();
    }
  }

  private static JavaFileObject source(String name, String code) {
    return new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return code;
      }
    };
  }
}
