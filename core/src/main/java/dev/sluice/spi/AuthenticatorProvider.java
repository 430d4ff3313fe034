package dev.sluice.spi;

/**
 * Creates {@link Authenticator}s of one type. Register implementations in {@code
 * META-INF/services/dev.sluice.spi.AuthenticatorProvider}. See {@link PluginProvider}.
 */
public interface AuthenticatorProvider extends PluginProvider<Authenticator> {}
