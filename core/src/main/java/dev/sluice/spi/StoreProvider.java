package dev.sluice.spi;

import dev.sluice.store.Store;

/**
 * Creates a {@link Store} of one type, so that configurations can name a store (e.g. {@code
 * store: { jdbc: "jdbc:postgresql://..." }}) that lives in a module core does not depend on.
 * Register implementations in {@code META-INF/services/dev.sluice.spi.StoreProvider}.
 *
 * <p>The store must implement the required parts of {@link Store} (checkpoints, runs, dead letters);
 * secrets, users and stored configurations are optional capabilities it offers only if it can keep
 * them (see {@link Store}).
 */
public interface StoreProvider extends PluginProvider<Store> {}
