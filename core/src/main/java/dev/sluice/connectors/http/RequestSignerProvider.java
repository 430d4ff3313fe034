package dev.sluice.connectors.http;

import dev.sluice.spi.PluginProvider;

/**
 * Creates {@link RequestSigner}s of one type, for the http connector's {@code signer: {type: NAME,
 * ...options}}.
 *
 * <p>Discovery: list the implementation in {@code
 * META-INF/services/dev.sluice.connectors.http.RequestSignerProvider} of a jar on the class path;
 * the http connector finds it with {@link java.util.ServiceLoader} on the thread context class
 * loader and on its own class loader when a source is created. Signer providers are not a plugin
 * kind of the provider registry: {@code sluice plugins} does not list them, and {@code
 * Sluice.Builder.provider} does not take them.
 *
 * <p>The contract of {@link PluginProvider} applies: a public no-argument constructor without I/O,
 * a unique {@link #type()}, stateless. {@link #create} receives the options under {@code signer:}
 * (without {@code type}) and the source's plugin context (clock, secrets, logger).
 */
public interface RequestSignerProvider extends PluginProvider<RequestSigner> {}
