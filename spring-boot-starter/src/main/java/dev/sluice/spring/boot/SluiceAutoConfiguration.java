package dev.sluice.spring.boot;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.LoadedConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginProvider;
import dev.sluice.spi.ProviderRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Auto-configuration of Sluice for Spring Boot: a {@link Sluice} bean built from the application's
 * {@code sluice.*} properties and/or the files of {@code sluice.config-location}, validated exactly
 * like a Sluice YAML file (an invalid configuration stops the application from starting, with a
 * {@link SluiceConfigurationException} naming each offending property); the application's {@link
 * DataSource} as the store when {@code sluice-jdbc} is present and no store is configured; the
 * application's {@link MeterRegistry} and {@link ObservationRegistry}; and a {@link SluiceLifecycle}
 * that starts the triggers with the context and drains runs when it stops.
 *
 * <p>Every bean backs off when the application defines one of the same type: a {@code Sluice} bean
 * of the application's own replaces the configuration loading altogether. {@link
 * SluiceBuilderCustomizer} beans adjust the builder; {@link PluginProvider} beans (connectors,
 * destinations, rules, triggers, stores) join the providers found on the class path.
 *
 * <p>Turned off with {@code sluice.enabled=false}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration"})
@ConditionalOnProperty(prefix = SluiceProperties.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(SluiceProperties.class)
public class SluiceAutoConfiguration {

  /**
   * The host's data source as the {@code datasource} store, when sluice-jdbc is on the class path and
   * there is one data source (or a primary one). A {@link DataSourceStoreProvider} bean of the
   * application's (e.g. on another data source) replaces it.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.sluice.jdbc.JdbcStore")
  @ConditionalOnSingleCandidate(DataSource.class)
  static class DataSourceStoreConfiguration {
    @Bean
    @ConditionalOnMissingBean
    DataSourceStoreProvider sluiceDataSourceStoreProvider(DataSource dataSource) {
      return new DataSourceStoreProvider(dataSource);
    }
  }

  /** The configuration, the Sluice and its lifecycle; all skipped when the application has its own Sluice. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(Sluice.class)
  static class SluiceConfiguration {

    /**
     * Every provider on the application's class path, plus the {@link PluginProvider} beans of the
     * context.
     */
    @Bean
    @ConditionalOnMissingBean
    ProviderRegistry sluiceProviderRegistry(ObjectProvider<PluginProvider<?>> providers,
        org.springframework.context.ApplicationContext context) {
      ClassLoader loader = context.getClassLoader() != null ? context.getClassLoader()
          : Thread.currentThread().getContextClassLoader();
      return ProviderRegistry.discover(loader, providers.orderedStream().toList());
    }

    /**
     * The loaded configuration: its definition and its opened store (closed with the context, after
     * the Sluice).
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LoadedConfig sluiceLoadedConfig(SluiceProperties properties, ProviderRegistry registry,
        ConfigurableEnvironment environment) {
      ConfigLoader loader = ConfigLoader.create(registry, environment::getProperty, Clock.systemUTC());
      SluiceConfigBinder binder = new SluiceConfigBinder(environment);
      List<org.springframework.core.io.Resource> files = properties.getConfigLocation();
      ObjectNode extra = null;
      if (registry.find(PluginKind.STORE, DataSourceStoreProvider.TYPE).isPresent() && !binder.namesStore(files)) {
        extra = JsonNodeFactory.instance.objectNode();
        extra.putObject("store").put("type", DataSourceStoreProvider.TYPE);
      }
      return binder.load(loader, files, extra);
    }

    /** The Sluice, built from the configuration with the application's registries. */
    @Bean(destroyMethod = "close")
    Sluice sluice(LoadedConfig config, SluiceProperties properties, ObjectProvider<MeterRegistry> meterRegistry,
        ObjectProvider<ObservationRegistry> observationRegistry, ObjectProvider<SluiceBuilderCustomizer> customizers) {
      Sluice.Builder builder = config.builder().shutdownTimeout(properties.getShutdownTimeout());
      meterRegistry.ifUnique(builder::meterRegistry);
      observationRegistry.ifUnique(builder::observationRegistry);
      customizers.orderedStream().forEach(c -> c.customize(builder));
      return builder.build();
    }
  }

  /** Starts and stops the Sluice with the context. */
  @Bean
  @ConditionalOnBean(Sluice.class)
  @ConditionalOnMissingBean
  SluiceLifecycle sluiceLifecycle(Sluice sluice, SluiceProperties properties) {
    return new SluiceLifecycle(sluice, properties.getShutdownTimeout(), properties.isAutoStartup());
  }
}
