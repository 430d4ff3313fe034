package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.Sluice;
import dev.sluice.SluiceDefinition;
import dev.sluice.auth.Secrets;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterSettings;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.store.Store;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A loaded configuration: the definition, the opened store, and the server and auth sections.
 * Closing it closes the store; a {@link Sluice} built from it does not.
 *
 * <p>Immutable apart from the store's state; thread-safe.
 */
public final class LoadedConfig implements AutoCloseable {
  private final SluiceDefinition definition;
  private final Store store;
  private final ClusterCoordinator cluster;
  private final ClusterSettings clusterSettings;
  private final ProviderRegistry registry;
  private final JsonNode server;
  private final JsonNode auth;
  private final List<Path> files;
  private final PluginSecrets secrets;

  LoadedConfig(SluiceDefinition definition, Store store, ClusterCoordinator cluster, ClusterSettings clusterSettings,
      ProviderRegistry registry, JsonNode server, JsonNode auth, List<Path> files, PluginSecrets secrets) {
    this.definition = definition;
    this.store = store;
    this.cluster = cluster;
    this.clusterSettings = clusterSettings;
    this.registry = registry;
    this.server = server;
    this.auth = auth;
    this.files = List.copyOf(files);
    this.secrets = secrets;
  }

  /**
   * The destinations and pipelines.
   *
   * @return the definition, never null
   */
  public SluiceDefinition definition() {
    return definition;
  }

  /**
   * The opened store; closed by {@link #close()}.
   *
   * @return the store, never null
   */
  public Store store() {
    return store;
  }

  /**
   * The {@code server} section, or a missing node.
   *
   * @return a copy of the section
   */
  public JsonNode server() {
    return server.deepCopy();
  }

  /**
   * The {@code auth} section, or a missing node.
   *
   * @return a copy of the section
   */
  public JsonNode auth() {
    return auth.deepCopy();
  }

  /**
   * The files the configuration was loaded from, in merge order.
   *
   * @return an unmodifiable list
   */
  public List<Path> files() {
    return files;
  }

  /**
   * The store's secrets for plugins, opened on first use with {@code secrets.key}; {@link
   * PluginSecrets#UNAVAILABLE} when no key is configured.
   *
   * @return the secrets, never null
   */
  public PluginSecrets secrets() {
    return secrets;
  }

  /**
   * The store's secrets opened with {@code secrets.key}, for what needs the master key itself
   * rather than single values: local users (their token signing keys are encrypted under it) and
   * the REST API's secrets endpoints. Opened on the first call (deriving the key takes about half
   * a second), then the same instance.
   *
   * @return the secrets; empty when no {@code secrets.key} is configured
   * @throws dev.sluice.auth.WrongMasterKeyException when the key is not the store's
   * @throws dev.sluice.store.MissingStoreCapabilityException when the store keeps no secrets
   */
  public Optional<Secrets> openSecrets() {
    return secrets instanceof ConfigLoader.LazySecrets lazy
        ? Optional.of(lazy.open("local users and the REST API"))
        : Optional.empty();
  }

  /**
   * The providers the configuration was checked against.
   *
   * @return the registry, never null
   */
  public ProviderRegistry registry() {
    return registry;
  }

  /**
   * The cluster coordinator when {@code cluster.enabled} is set.
   *
   * @return the coordinator, or empty when cluster mode is off
   */
  public Optional<ClusterCoordinator> cluster() {
    return Optional.ofNullable(cluster);
  }

  /**
   * A builder with this definition, this store, its secrets, the cluster coordinator (if any, with
   * the node's heartbeat settings) and the providers the config was checked against.
   *
   * @return a new builder; the caller builds and closes the Sluice, and closes this configuration
   *     (the store) after it
   */
  public Sluice.Builder builder() {
    Sluice.Builder b = Sluice.builder().registry(registry).store(store).secrets(secrets).definition(definition);
    if (cluster != null) {
      b.cluster(cluster);
      b.heartbeat(clusterSettings.heartbeatInterval(), clusterSettings.missedHeartbeats());
    }
    return b;
  }

  @Override
  public void close() {
    store.close();
  }
}
