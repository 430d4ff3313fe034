package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in {@code README.md} and {@code docs/} points at a file that exists, and
 * every {@code #fragment} at a heading of that file (GitHub's anchors: lower case, punctuation
 * dropped, spaces as hyphens, {@code -1}, {@code -2} for repeats). Links to other sites are not
 * followed: tests do not touch the internet.
 */
class DocsLinksTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** {@code [text](target)}, not inside inline code. Images too. */
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$", Pattern.MULTILINE);
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
  private final Map<Path, Set<String>> anchors = new HashMap<>();

  @Test
  void everyRelativeLinkAndAnchorResolves() throws IOException {
    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path file : DocBlocks.markdownFiles()) {
      file = file.toAbsolutePath().normalize();
      String text = withoutCode(Files.readString(file), true);
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // https:, mailto: ...
        }
        checked++;
        String where = ROOT.relativize(file) + ":" + lineOf(text, m.start()) + ": ";
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String fragment = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!resolved.startsWith(ROOT)) {
          broken.add(where + target + " leaves the repository");
        } else if (!Files.exists(resolved)) {
          broken.add(where + target + " → no such file " + ROOT.relativize(resolved));
        } else if (fragment != null && resolved.toString().endsWith(".md")
            && !anchorsOf(resolved).contains(fragment)) {
          broken.add(where + target + " → no heading with anchor #" + fragment + " in " + ROOT.relativize(resolved));
        }
      }
    }
    assertThat(checked).as("relative links found").isGreaterThan(20);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void anchorsFollowGitHubsRules() {
    assertThat(slug("Dead letters & replay")).isEqualTo("dead-letters--replay");
    assertThat(slug("The `file` destination")).isEqualTo("the-file-destination");
    assertThat(slug("What changed (2026-12-02)")).isEqualTo("what-changed-2026-12-02");
  }

  private Set<String> anchorsOf(Path file) throws IOException {
    Set<String> cached = anchors.get(file);
    if (cached != null) {
      return cached;
    }
    String text = withoutCode(Files.readString(file), false);
    Set<String> found = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    Matcher h = HEADING.matcher(text);
    while (h.find()) {
      String base = slug(h.group(1));
      int n = seen.merge(base, 1, Integer::sum) - 1;
      found.add(n == 0 ? base : base + "-" + n);
    }
    Matcher a = HTML_ANCHOR.matcher(text);
    while (a.find()) {
      found.add(a.group(1));
    }
    anchors.put(file, found);
    return found;
  }

  /** GitHub's heading anchor. */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1") // a link's text only
        .replace("`", "").toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
        b.appendCodePoint(c);
      } else if (c == ' ') {
        b.append('-');
      }
    });
    return b.toString();
  }

  /**
   * The text with fenced code blocks blanked (line numbers kept), so examples are neither links
   * nor headings; with {@code inline}, inline code too (a heading keeps it: it is in its anchor).
   */
  private static String withoutCode(String text, boolean inline) {
    StringBuilder out = new StringBuilder();
    boolean fenced = false;
    for (String line : text.split("\n", -1)) {
      if (line.strip().startsWith("```")) {
        fenced = !fenced;
        out.append('\n');
        continue;
      }
      out.append(fenced ? "" : inline ? line.replaceAll("`[^`]*`", "``") : line).append('\n');
    }
    return out.toString();
  }

  private static int lineOf(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }
}
