package dev.sluice.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Explains the start-up failure of an application that has {@code sluice-jdbc} (which needs Flyway
 * 13 for Sluice's own tables) and Spring Boot 3.5's Flyway auto-configuration, which calls methods
 * Flyway 12 removed: a {@link NoSuchMethodError} on an {@code org.flywaydb} class thrown from
 * Spring Boot's {@code FlywayAutoConfiguration}. Says to set {@code spring.flyway.enabled=false}.
 * Other {@code NoSuchMethodError}s are left to Spring Boot's own analyzer.
 *
 * <p>Stateless; thread-safe.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public class FlywayVersionFailureAnalyzer extends AbstractFailureAnalyzer<NoSuchMethodError> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, NoSuchMethodError cause) {
    if (cause.getMessage() == null || !cause.getMessage().contains("org.flywaydb.")) {
      return null;
    }
    boolean fromBoot = false;
    for (StackTraceElement e : cause.getStackTrace()) {
      if (e.getClassName().startsWith("org.springframework.boot.autoconfigure.flyway.")) {
        fromBoot = true;
        break;
      }
    }
    if (!fromBoot) {
      return null;
    }
    return new FailureAnalysis("Spring Boot's Flyway auto-configuration can't drive the Flyway version on the class path ("
        + cause.getMessage() + "). sluice-jdbc needs Flyway 13 for Sluice's own tables, which Spring Boot 3.5"
        + " does not support.",
        "Set spring.flyway.enabled=false (Sluice migrates its own tables when it opens its store), or run the"
            + " application's own migrations without Spring Boot's Flyway auto-configuration.", cause);
  }
}
