package dev.sluice.spi;

/**
 * Creates {@link Destination}s of one type. Register implementations in {@code
 * META-INF/services/dev.sluice.spi.DestinationProvider}. See {@link PluginProvider}.
 */
public interface DestinationProvider extends PluginProvider<Destination> {}
