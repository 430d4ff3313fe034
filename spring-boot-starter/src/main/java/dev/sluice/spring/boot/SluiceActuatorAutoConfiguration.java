package dev.sluice.spring.boot;

import dev.sluice.Sluice;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Actuator support, when Spring Boot Actuator is on the class path and there is a {@link Sluice}
 * bean: the health indicator {@code sluice} ({@link SluiceHealthIndicator}; {@code
 * management.health.sluice.enabled=false} turns it off) and the endpoint {@code sluice} ({@link
 * SluiceEndpoint}; expose it like any endpoint).
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class,
    beforeName = "org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Sluice.class)
public class SluiceActuatorAutoConfiguration {

  /** Health of the store and the triggers. */
  @Bean
  @ConditionalOnMissingBean(name = "sluiceHealthIndicator")
  @ConditionalOnEnabledHealthIndicator("sluice")
  SluiceHealthIndicator sluiceHealthIndicator(Sluice sluice) {
    return new SluiceHealthIndicator(sluice);
  }

  /** Pipelines and recent runs. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint
  SluiceEndpoint sluiceEndpoint(Sluice sluice) {
    return new SluiceEndpoint(sluice);
  }
}
