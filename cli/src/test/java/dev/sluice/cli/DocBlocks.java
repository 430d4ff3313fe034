package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The fenced code blocks of {@code README.md} and every page under {@code docs/}, for the tests
 * that hold the documentation to the code (yaml validates, java compiles, marked shell runs).
 */
final class DocBlocks {
  static final Path ROOT = Path.of("..");

  private DocBlocks() {}

  /**
   * One fenced block: where it is, the {@code <!-- KIND: ... -->} marker on the line before it (or
   * null) and its text.
   */
  record Block(String file, int line, String marker, String text) {
    @Override
    public String toString() {
      return file + ":" + line;
    }
  }

  /** {@code README.md}, then every {@code .md} under {@code docs/}, sorted. */
  static List<Path> markdownFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    return files;
  }

  /**
   * @param languages the fence's info strings, as a regex alternation (e.g. {@code ya?ml})
   * @param markerKind the marker's kind, e.g. {@code validate} for {@code <!-- validate: ... -->}
   */
  static List<Block> blocks(String languages, String markerKind) throws IOException {
    Pattern block = Pattern.compile("(?:^|\\n)([^\\n]*)\\n```(?:" + languages + ")\\n(.*?)```", Pattern.DOTALL);
    Pattern marker = Pattern.compile("<!--\\s*" + markerKind + ":\\s*(.*?)\\s*-->");
    List<Block> blocks = new ArrayList<>();
    for (Path file : markdownFiles()) {
      String text = Files.readString(file);
      Matcher m = block.matcher(text);
      while (m.find()) {
        Matcher mk = marker.matcher(m.group(1));
        int line = (int) text.substring(0, m.start(2)).chars().filter(c -> c == '\n').count();
        blocks.add(new Block(ROOT.relativize(file).toString(), line, mk.find() ? mk.group(1) : null, m.group(2)));
      }
    }
    return blocks;
  }
}
