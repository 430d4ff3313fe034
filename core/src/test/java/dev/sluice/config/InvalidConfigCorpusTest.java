package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.spi.ProviderRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in {@code config/invalid/} is a broken configuration; its {@code .expected} sibling
 * holds the exact problem lines the loader must report, one {@code file:line:column /pointer
 * message} per line (the file name without its folder).
 */
class InvalidConfigCorpusTest {
  private static final Path DIR = Path.of("src/test/resources/config/invalid");
  private static final ConfigLoader LOADER = ConfigLoader.create(
      ProviderRegistry.discover(InvalidConfigCorpusTest.class.getClassLoader(), List.of()),
      Map.of("HOME", "/home/test")::get, java.time.Clock.systemUTC());

  static Stream<Path> files() throws Exception {
    return Files.list(DIR).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @Test
  void theCorpusHasAtLeastThirtyCases() throws Exception {
    assertThat(files().count()).isGreaterThanOrEqualTo(30);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void reportsExactlyTheExpectedProblems(Path file) throws Exception {
    List<String> expected = Files.readAllLines(Path.of(file.toString().replace(".yaml", ".expected")));
    List<String> actual = LOADER.validate(List.of(file)).stream()
        .map(p -> p.toString().replace(DIR + "/", ""))
        .toList();
    assertThat(actual).isNotEmpty().containsExactlyElementsOf(expected);
  }
}
