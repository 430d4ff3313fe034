package dev.sluice.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link PluginContext} Sluice hands to providers. Not API. */
public final class DefaultPluginContext implements PluginContext {
  private final String name;
  private final PluginKind kind;
  private final Clock clock;
  private final MeterRegistry meterRegistry;
  private final ObjectMapper objectMapper;
  private final Store store;
  private final PluginSecrets secrets;

  /** A context without secrets ({@link PluginSecrets#UNAVAILABLE}). */
  public DefaultPluginContext(
      String name,
      PluginKind kind,
      Clock clock,
      MeterRegistry meterRegistry,
      ObjectMapper objectMapper,
      Store store) {
    this(name, kind, clock, meterRegistry, objectMapper, store, PluginSecrets.UNAVAILABLE);
  }

  /** @param store null while the store itself is being created */
  public DefaultPluginContext(
      String name,
      PluginKind kind,
      Clock clock,
      MeterRegistry meterRegistry,
      ObjectMapper objectMapper,
      Store store,
      PluginSecrets secrets) {
    this.name = Objects.requireNonNull(name);
    this.kind = Objects.requireNonNull(kind);
    this.clock = Objects.requireNonNull(clock);
    this.meterRegistry = Objects.requireNonNull(meterRegistry);
    this.objectMapper = Objects.requireNonNull(objectMapper);
    this.store = store;
    this.secrets = Objects.requireNonNull(secrets);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public PluginKind kind() {
    return kind;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  @Override
  public ObjectMapper objectMapper() {
    return objectMapper;
  }

  @Override
  public Logger logger() {
    return LoggerFactory.getLogger("sluice." + kind.label() + "." + name);
  }

  @Override
  public Store store() {
    if (store == null) {
      throw new IllegalStateException("no store is available while the store itself is created");
    }
    return store;
  }

  @Override
  public PluginSecrets secrets() {
    return secrets;
  }
}
