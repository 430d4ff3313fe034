package dev.sluice.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link SluiceConfigurationException} at start-up into Spring Boot's "APPLICATION FAILED
 * TO START" report: the problems, each naming its property or file, and what to do.
 *
 * <p>Stateless; thread-safe.
 */
public class SluiceConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<SluiceConfigurationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, SluiceConfigurationException cause) {
    return new FailureAnalysis(cause.getMessage(),
        "Fix the sluice.* properties (or the files of sluice.config-location) named above. The model is the one of"
            + " a Sluice YAML file; see docs/user-guide/spring-boot.md.", cause);
  }
}
