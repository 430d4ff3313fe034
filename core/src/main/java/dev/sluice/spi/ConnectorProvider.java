package dev.sluice.spi;

/**
 * Creates {@link Connector}s of one type. Register implementations in {@code
 * META-INF/services/dev.sluice.spi.ConnectorProvider}. See {@link PluginProvider} for the contract.
 */
public interface ConnectorProvider extends PluginProvider<Connector> {}
