package dev.sluice.spi;

/**
 * Creates {@link Trigger}s of one type. Register implementations in {@code
 * META-INF/services/dev.sluice.spi.TriggerProvider}. See {@link PluginProvider}.
 */
public interface TriggerProvider extends PluginProvider<Trigger> {}
