package dev.sluice.spi;

/**
 * Creates custom {@link Rule} steps of one type. Register implementations in {@code
 * META-INF/services/dev.sluice.spi.RuleProvider}. See {@link PluginProvider}.
 */
public interface RuleProvider extends PluginProvider<Rule> {}
