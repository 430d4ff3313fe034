package dev.sluice.spi;


/**
 * What {@code sluice plugins} shows of one provider.
 *
 * @param kind never null
 * @param type never null
 * @param version the jar's {@code Implementation-Version}, or {@code "unknown"}
 * @param location the jar or directory the provider class came from, or {@code "registered
 *     explicitly"}
 * @param description never null
 * @param provider the provider itself
 */
public record PluginInfo(
    PluginKind kind,
    String type,
    String version,
    String location,
    String description,
    PluginProvider<?> provider) {}
