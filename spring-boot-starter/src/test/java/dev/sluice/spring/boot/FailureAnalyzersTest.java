package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** What Spring Boot prints when a Sluice application fails to start. */
@Timeout(120)
class FailureAnalyzersTest {
  @TempDir Path dir;

  @Test
  void anInvalidConfigurationIsReportedWithItsProblems() {
    new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class))
        .withPropertyValues("sluice.store.type=memory", "sluice.pipelines.p.source.type=nope")
        .run(context -> {
          FailureAnalysis analysis = new SluiceConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
          assertThat(analysis).isNotNull();
          assertThat(analysis.getDescription()).contains("sluice.pipelines.p.source.type").contains("'nope'");
          assertThat(analysis.getAction()).contains("sluice.* properties");
        });
  }

  @Test
  void bootsFlywayAutoConfigurationOnFlyway13IsExplained() {
    // sluice-jdbc (on this module's test class path) brings Flyway 13; Boot 3.5's Flyway support can't use it.
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:flyway-" + System.nanoTime())
        .run(context -> {
          assertThat(context).hasFailed();
          FailureAnalysis analysis = new FlywayVersionFailureAnalyzer().analyze(context.getStartupFailure());
          assertThat(analysis).as("failure: %s", context.getStartupFailure()).isNotNull();
          assertThat(analysis.getAction()).contains("spring.flyway.enabled=false");
        });
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, FlywayAutoConfiguration.class))
        .withPropertyValues("spring.datasource.url=jdbc:h2:mem:flyway-" + System.nanoTime(), "spring.flyway.enabled=false")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void otherMissingMethodsAreLeftToSpringBoot() {
    assertThat(new FlywayVersionFailureAnalyzer().analyze(new NoSuchMethodError("'void com.example.Foo.bar()'")))
        .isNull();
  }
}
