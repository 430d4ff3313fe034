package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.spi.ProviderRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.sluice.cli.DocBlocks.Block;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```yaml} block of {@code README.md} and {@code docs/} passes {@code sluice validate}
 * (the same {@link ConfigLoader#validate} the command runs, with the providers on the sluice
 * command's class path, i.e. core and jdbc), so the documentation can't drift from the schema.
 *
 * <p>A block is a whole configuration file unless the line before it is a marker:
 *
 * <ul>
 *   <li>{@code <!-- validate: pipeline-fragment -->}: the inside of one pipeline (rules,
 *       otherwise, ...); it is validated inside a pipeline with a file source, every destination it
 *       routes to defined as a {@code log} destination;
 *   <li>{@code <!-- validate: skip (REASON) -->}: not validated, e.g. because it needs a plugin of
 *       another module; the reason is required.
 * </ul>
 *
 * Environment variables the block uses are set to placeholder values, files it names with
 * {@code ${file:...}} are created.
 */
class DocsYamlTest {
  private static final Path ROOT = Path.of("..");
  private static final Pattern SKIP = Pattern.compile("skip \\((.*\\S.*)\\)");
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?}");
  private static final Pattern FILE = Pattern.compile("\\$\\{file:([^}]+)}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  static List<Block> blocks() throws IOException {
    return DocBlocks.blocks("ya?ml", "validate");
  }

  @TestFactory
  Stream<DynamicTest> everyYamlBlockOfTheDocsValidates() throws IOException {
    List<Block> blocks = blocks();
    assertThat(blocks).as("yaml blocks found in README.md and docs/").hasSizeGreaterThanOrEqualTo(5);
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    return blocks.stream().map(b -> DynamicTest.dynamicTest(b.toString(), () -> check(b, registry)));
  }

  private void check(Block block, ProviderRegistry registry) throws IOException {
    if (block.marker() != null && block.marker().startsWith("skip")) {
      assertThat(block.marker()).as("%s: a skipped block says why: <!-- validate: skip (reason) -->", block)
          .matches(SKIP);
      return;
    }
    String yaml;
    if (block.marker() == null) {
      yaml = block.text();
    } else {
      assertThat(block.marker()).as("%s: unknown marker", block).isEqualTo("pipeline-fragment");
      yaml = inPipeline(block.text());
    }
    List<ConfigProblem> problems = validate(registry, block, yaml);
    assertThat(problems).as("%s does not validate:%n%s", block, yaml).isEmpty();
  }

  private List<ConfigProblem> validate(ProviderRegistry registry, Block block, String yaml) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(block.toString().replaceAll("[^A-Za-z0-9]", "_")));
    Map<String, String> env = new HashMap<>();
    Matcher e = ENV.matcher(yaml);
    while (e.find()) {
      env.put(e.group(1), "value-of-" + e.group(1));
    }
    Matcher f = FILE.matcher(yaml);
    while (f.find()) {
      Path referenced = folder.resolve(f.group(1));
      Files.createDirectories(referenced.getParent());
      Files.writeString(referenced, "content of " + f.group(1));
    }
    Path config = folder.resolve("sluice.yaml");
    Files.writeString(config, yaml);
    return ConfigLoader.create(registry, env::get, Clock.systemUTC()).validate(List.of(config));
  }

  /** The fragment as the body of pipeline {@code example}, with a log destination per name it routes to. */
  static String inPipeline(String fragment) throws IOException {
    JsonNode tree = YAML.readTree(fragment);
    Set<String> targets = new LinkedHashSet<>();
    for (JsonNode rule : tree.path("rules")) {
      names(rule.path("to"), targets);
    }
    names(tree.path("otherwise"), targets);
    StringBuilder out = new StringBuilder("destinations:\n");
    targets.forEach(t -> out.append("  ").append(t).append(": { type: log }\n"));
    out.append("pipelines:\n  example:\n    source: { type: file, path: example.jsonl }\n");
    fragment.lines().forEach(l -> out.append("    ").append(l).append('\n'));
    return out.toString();
  }

  private static void names(JsonNode to, Set<String> into) {
    if (to.isTextual()) {
      into.add(to.asText());
    }
    to.forEach(n -> into.add(n.asText()));
  }

  // --- the test itself can fail -------------------------------------------------------------

  @Test
  void aBlockThatNoLongerMatchesTheSchemaFails() throws IOException {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    Block broken = new Block("docs/example.md", 1, null, """
        destinations:
          out: { type: file, pth: out.jsonl }
        pipelines:
          orders:
            source: { type: file, path: orders.jsonl }
            rules: [ { to: [outt] } ]
        """);
    List<ConfigProblem> problems = validate(registry, broken, broken.text());
    assertThat(problems).extracting(ConfigProblem::toString)
        .anyMatch(p -> p.contains("/destinations/out/pth"))
        .anyMatch(p -> p.contains("destination 'outt' is not defined"));
    assertThat(validate(registry, broken, inPipeline("rules: [ { to: [a, b] } ]\notherwise: [ c ]"))).isEmpty();
  }

  @Test
  void markersAreFoundAndASkipWithoutAReasonIsRefused() throws IOException {
    assertThat(blocks()).allSatisfy(b -> assertThat(b.marker() == null || b.marker().equals("pipeline-fragment")
        || SKIP.matcher(b.marker()).matches()).as("%s: marker '%s'", b, b.marker()).isTrue());
    assertThat(SKIP.matcher("skip ()").matches()).isFalse();
    assertThat(SKIP.matcher("skip").matches()).isFalse();
    assertThat(SKIP.matcher("skip (needs sluice-connectors-hubspot)").matches()).isTrue();
  }
}
