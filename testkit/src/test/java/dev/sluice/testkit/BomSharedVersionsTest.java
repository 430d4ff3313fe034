package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.internal.plugins.PluginLocations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * sluice-bom pins the libraries a plugin's class loader takes from the host (Jackson, SLF4J,
 * Micrometer) so plugins compile against what they will run with. The BOM has no parent and keeps
 * its own copy of those versions: this fails when they drift from the ones Sluice is built with.
 */
class BomSharedVersionsTest {
  @ParameterizedTest
  @CsvSource({
      "sluice.jackson.version, com.fasterxml.jackson.databind.ObjectMapper",
      "sluice.slf4j.version, org.slf4j.LoggerFactory",
      "sluice.micrometer.version, io.micrometer.core.instrument.MeterRegistry"})
  void theBomPinsTheVersionsTheHostRunsWith(String property, String className) throws Exception {
    String bom = Files.readString(Path.of("../bom/pom.xml"));
    Matcher m = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)</").matcher(bom);
    assertThat(m.find()).as("bom/pom.xml defines %s", property).isTrue();
    Class<?> type = Class.forName(className);
    Path jar = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertThat(PluginLocations.version(jar)).as("version of %s on the class path", jar).isEqualTo(m.group(1));
  }
}
