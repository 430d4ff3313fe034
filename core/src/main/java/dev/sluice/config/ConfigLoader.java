package dev.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.SluiceDefinition;
import dev.sluice.auth.Secrets;
import dev.sluice.auth.WrongMasterKeyException;
import dev.sluice.internal.DefaultPluginContext;
import dev.sluice.internal.Json;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterSettings;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.PluginSecrets;
import dev.sluice.spi.StoreProvider;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.MissingStoreCapabilityException;
import dev.sluice.store.SecretStore;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Loads Sluice configuration files (YAML or JSON): merges them in order (later wins), replaces
 * {@code ${env:…}}, {@code ${file:…}} and {@code ${secret:…}}, validates against the {@link
 * ConfigSchema} and semantic rules, and builds the same {@link SluiceDefinition} the Java builder
 * would. Every problem is reported at once, each with {@code file:line:column /pointer}.
 *
 * <pre>{@code
 * ConfigLoader loader = ConfigLoader.create(registry);
 * try (LoadedConfig config = loader.load(List.of(Path.of("sluice.yaml")))) {
 *   try (Sluice sluice = config.builder().build()) { ... }
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigLoader {
  private final ProviderRegistry registry;
  private final Function<String, String> env;
  private final Clock clock;
  private final ObjectNode schema;

  private ConfigLoader(ProviderRegistry registry, Function<String, String> env, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.env = Objects.requireNonNull(env, "env");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.schema = ConfigSchema.build(registry);
  }

  /**
   * A loader for these providers, reading the process environment.
   *
   * @param registry the plugin providers whose types and options the files may use
   * @return the loader
   */
  public static ConfigLoader create(ProviderRegistry registry) {
    return new ConfigLoader(registry, System::getenv, Clock.systemUTC());
  }

  /**
   * A loader with its own environment (for tests and embedding).
   *
   * @param registry the plugin providers whose types and options the files may use
   * @param env resolves {@code ${env:NAME}} references; null or empty means unset
   * @param clock the clock handed to the store and its plugin context
   * @return the loader
   */
  public static ConfigLoader create(ProviderRegistry registry, Function<String, String> env, Clock clock) {
    return new ConfigLoader(registry, env, clock);
  }

  /**
   * The JSON Schema files are checked against.
   *
   * @return a copy of the schema, including the options of every provider in the registry
   */
  public ObjectNode schema() {
    return schema.deepCopy();
  }

  /**
   * Checks files without opening the store ({@code ${secret:…}} stay unresolved).
   *
   * @param files the YAML files, merged in order
   * @return every problem, sorted by file and position; empty when valid
   */
  public List<ConfigProblem> validate(List<Path> files) {
    List<ConfigProblem> problems = new ArrayList<>();
    Parsed parsed = parse(files, problems);
    if (parsed != null) {
      new DefinitionMapper(parsed.config, parsed.tree, problems, parsed.invalid).map();
    }
    Collections.sort(problems);
    return problems;
  }

  /**
   * Loads files, opens the store and resolves secrets.
   *
   * @param files the YAML files, merged in order
   * @return the loaded configuration; close it to close the store
   * @throws InvalidConfigException listing every problem
   */
  public LoadedConfig load(List<Path> files) {
    List<ConfigProblem> problems = new ArrayList<>();
    Parsed parsed = parse(files, problems);
    if (parsed == null || !problems.isEmpty()) {
      if (parsed != null) {
        new DefinitionMapper(parsed.config, parsed.tree, problems, parsed.invalid).map();
      }
      throw invalid(problems);
    }
    Store store = openStore(parsed.config.path("store"), parsed.tree, problems);
    if (store == null) {
      throw invalid(problems);
    }
    try {
      JsonNode key = parsed.config.path("secrets").path("key");
      LazySecrets pluginSecrets = key.isTextual() && !key.textValue().contains("${")
          ? new LazySecrets(store, key.textValue()) : null;
      Interpolator.SecretLookup secrets = secretLookup(parsed, pluginSecrets, problems);
      new Interpolator(env, secrets, parsed.tree.values, problems, new HashSet<>())
          .applyToPending(parsed.config, parsed.deferred);
      SluiceDefinition definition = new DefinitionMapper(parsed.config, parsed.tree, problems, Set.of()).map();
      if (!problems.isEmpty()) {
        throw invalid(problems);
      }
      ClusterSettings cluster = cluster(parsed.config.path("cluster"), parsed.tree, problems);
      ClusterCoordinator coordinator = null;
      if (cluster != null) {
        try {
          coordinator = store.clusterCoordinator(cluster);
        } catch (UnsupportedOperationException e) {
          problems.add(Locations.problem(parsed.tree.values, "/cluster/enabled", e.getMessage()));
        }
      }
      if (!problems.isEmpty()) {
        throw invalid(problems);
      }
      return new LoadedConfig(definition, store, coordinator, cluster, registry, parsed.config.path("server").deepCopy(),
          parsed.config.path("auth").deepCopy(), files,
          pluginSecrets != null ? pluginSecrets : PluginSecrets.UNAVAILABLE);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Opens only the store and the secrets of a configuration, for managing secrets: the rest of the
   * files may still refer to secrets that don't exist yet.
   *
   * @param files the YAML files, merged in order
   * @return the open store and its secrets; close it to close the store
   * @throws InvalidConfigException when the store or secrets sections are invalid
   */
  public SecretsAccess openSecrets(List<Path> files) {
    List<ConfigProblem> problems = new ArrayList<>();
    Parsed parsed = parseStoreSections(files, problems);
    JsonNode key = parsed.config.path("secrets").path("key");
    if (problems.isEmpty() && (!key.isTextual() || key.textValue().contains("${"))) {
      problems.add(Locations.problem(parsed.tree.values, "/secrets", "secrets.key is not set: add secrets: { key:"
          + " \"${env:SLUICE_MASTER_KEY}\" } and set that variable"));
    }
    if (!problems.isEmpty()) {
      throw invalid(problems);
    }
    Store store = openStore(parsed.config.path("store"), parsed.tree, problems);
    if (store == null) {
      throw invalid(problems);
    }
    try {
      return new SecretsAccess(store, openSecrets(store, key.textValue(), "sluice secret"));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Opens only the store of a configuration (for maintenance such as {@code sluice migrate}).
   *
   * @param files the YAML files, merged in order
   * @param adjust changes the store's options before it opens, given the store type
   * @return the open store; the caller closes it
   * @throws InvalidConfigException when the store section is invalid
   */
  public Store openStore(List<Path> files, BiFunction<String, ObjectNode, ObjectNode> adjust) {
    List<ConfigProblem> problems = new ArrayList<>();
    Parsed parsed = parseStoreSections(files, problems);
    if (!problems.isEmpty()) {
      throw invalid(problems);
    }
    ObjectNode section = parsed.config.path("store").isObject()
        ? ((ObjectNode) parsed.config.get("store")).deepCopy() : JsonNodeFactory.instance.objectNode();
    ObjectNode adjusted = adjust.apply(storeType(section), section);
    Store store = openStore(adjusted, parsed.tree, problems);
    if (store == null) {
      throw invalid(problems);
    }
    return store;
  }

  /** Parses, keeping only problems of the store and secrets sections (the rest may not matter). */
  private Parsed parseStoreSections(List<Path> files, List<ConfigProblem> problems) {
    Parsed parsed = parse(files, problems);
    if (parsed == null) {
      throw invalid(problems);
    }
    problems.removeIf(p -> !p.pointer().startsWith("/store") && !p.pointer().startsWith("/secrets") && !p.pointer().isEmpty());
    return parsed;
  }

  /**
   * A store opened for its secrets; closing it closes the store.
   *
   * @param store the opened store
   * @param secrets its secrets, decrypted with {@code secrets.key}
   */
  public record SecretsAccess(Store store, Secrets secrets) implements AutoCloseable {
    @Override
    public void close() {
      store.close();
    }
  }

  /** The cluster settings, or null when the node runs alone. */
  private static ClusterSettings cluster(JsonNode node, LocatedTree tree, List<ConfigProblem> problems) {
    if (!node.path("enabled").asBoolean(false)) {
      return null;
    }
    PluginConfig c = new PluginConfig("cluster", (ObjectNode) node);
    ClusterSettings d = ClusterSettings.DEFAULTS;
    try {
      return new ClusterSettings(
          c.optionalString("node").orElse(null),
          c.intValue("threads", d.threads(), 1, 1000),
          c.duration("pollingInterval", d.pollingInterval()),
          c.duration("heartbeat", d.heartbeatInterval()),
          c.intValue("missedHeartbeats", d.missedHeartbeats(), 1, 1000));
    } catch (RuntimeException e) {
      problems.add(Locations.problem(tree.values, "/cluster", e.getMessage()));
      return null;
    }
  }

  private static InvalidConfigException invalid(List<ConfigProblem> problems) {
    Collections.sort(problems);
    return new InvalidConfigException(problems);
  }

  /** Reads, merges, interpolates env/file variables and checks the schema. */
  private Parsed parse(List<Path> files, List<ConfigProblem> problems) {
    if (files.isEmpty()) {
      problems.add(new ConfigProblem(null, 0, 0, "", "no configuration file given"));
      return null;
    }
    LocatedTree merged = LocatedTree.empty();
    for (Path file : files) {
      String content;
      try {
        content = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        problems.add(new ConfigProblem(file.toString(), 0, 0, "", "can't read the file: "
            + (Files.exists(file) ? e.getMessage() : "it does not exist")));
        continue;
      }
      LocatedTree tree = LocatedTree.parse(file.toString(), content, problems);
      if (tree != null) {
        merge(merged, tree);
      }
    }
    if (!problems.isEmpty()) {
      return null;
    }
    Set<String> sensitive = new HashSet<>();
    Interpolator firstPass = new Interpolator(env, null, merged.values, problems, sensitive);
    firstPass.apply(merged.root, "");
    List<ConfigProblem> schemaProblems = new SchemaCheck(schema).check(merged.root, merged, sensitive);
    problems.addAll(schemaProblems);
    Set<String> invalid = new TreeSet<>();
    schemaProblems.forEach(p -> invalid.add(p.pointer()));
    return new Parsed(merged.root, merged, sensitive, firstPass.deferred(), invalid);
  }

  /** Deep-merges {@code next} into {@code into}: objects merge, everything else is replaced. */
  static void merge(LocatedTree into, LocatedTree next) {
    mergeObject(into, into.root, next, next.root, "");
  }

  private static void mergeObject(LocatedTree into, ObjectNode target, LocatedTree next, ObjectNode source, String pointer) {
    into.values.putIfAbsent(pointer, next.values.get(pointer));
    for (Map.Entry<String, JsonNode> e : source.properties()) {
      String child = pointer + "/" + LocatedTree.segment(e.getKey());
      JsonNode existing = target.get(e.getKey());
      if (existing instanceof ObjectNode && e.getValue() instanceof ObjectNode) {
        mergeObject(into, (ObjectNode) existing, next, (ObjectNode) e.getValue(), child);
        continue;
      }
      // Replaced: locations of the old value and everything under it give way to the new ones.
      into.values.keySet().removeIf(k -> k.equals(child) || k.startsWith(child + "/"));
      into.keys.keySet().removeIf(k -> k.equals(child) || k.startsWith(child + "/"));
      next.values.forEach((k, v) -> {
        if (k.equals(child) || k.startsWith(child + "/")) {
          into.values.put(k, v);
        }
      });
      next.keys.forEach((k, v) -> {
        if (k.equals(child) || k.startsWith(child + "/")) {
          into.keys.put(k, v);
        }
      });
      target.set(e.getKey(), e.getValue().deepCopy());
    }
  }

  /** The store type a section names, or the default: jdbc when that module is present, else memory. */
  private String storeType(ObjectNode section) {
    if (section.has("type")) {
      return section.get("type").asText();
    }
    if (section.has("jdbc")) {
      return "jdbc";
    }
    return registry.find(PluginKind.STORE, "jdbc").isPresent() ? "jdbc" : "memory";
  }

  private Store openStore(JsonNode node, LocatedTree tree, List<ConfigProblem> problems) {
    ObjectNode options = node.isObject() ? ((ObjectNode) node).deepCopy() : JsonNodeFactory.instance.objectNode();
    String type = storeType(options);
    options.remove("type");
    if (options.has("jdbc")) {
      options.set("url", options.remove("jdbc"));
    }
    if (type.equals("memory")) {
      return new InMemoryStore(clock);
    }
    Optional<StoreProvider> provider = registry.find(PluginKind.STORE, type);
    if (provider.isEmpty()) {
      problems.add(Locations.problem(tree.values, "/store", "no store of type '" + type + "' is available"));
      return null;
    }
    try {
      return provider.get().create(new PluginConfig("store (type " + type + ")", options),
          new DefaultPluginContext("store", PluginKind.STORE, clock, new SimpleMeterRegistry(), Json.newMapper(), null));
    } catch (RuntimeException e) {
      problems.add(Locations.problem(tree.values, "/store", "can't open the store: " + e.getMessage()));
      return null;
    }
  }

  private Interpolator.SecretLookup secretLookup(Parsed parsed, LazySecrets lazy, List<ConfigProblem> problems) {
    if (parsed.deferred.isEmpty()) {
      return null;
    }
    if (lazy == null) {
      problems.add(Locations.problem(parsed.tree.values, "/secrets", "secrets.key is not set, so ${secret:…}"
          + " values can't be decrypted (set secrets: { key: ${env:SLUICE_MASTER_KEY} })"));
      return null;
    }
    Secrets secrets;
    try {
      secrets = lazy.open("${secret:…} values");
    } catch (MissingStoreCapabilityException | WrongMasterKeyException | IllegalArgumentException e) {
      problems.add(Locations.problem(parsed.tree.values, "/secrets", e.getMessage()));
      return null;
    }
    return new Interpolator.SecretLookup() {
      @Override
      public Optional<String> find(String name) {
        return secrets.get(name);
      }

      @Override
      public List<String> names() {
        return secrets.names();
      }
    };
  }

  /** The store's secrets under {@code passphrase}; derives the key (once: about half a second). */
  private static Secrets openSecrets(Store store, String passphrase, String neededFor) {
    SecretStore secretStore = MissingStoreCapabilityException.require(store, Store::secrets, "secrets", neededFor);
    // The configuration tree holds the passphrase as a String, which can't be cleared; the copy
    // handed to key derivation is a char[] that Secrets.open overwrites.
    return Secrets.open(secretStore, passphrase.toCharArray());
  }

  /**
   * The store's secrets for plugins ({@link PluginSecrets}), opened on first use: deriving the key
   * takes about half a second, which configurations that never need a secret should not pay.
   */
  static final class LazySecrets implements PluginSecrets {
    private final Store store;
    private final String passphrase;
    private Secrets opened; // guarded by this

    LazySecrets(Store store, String passphrase) {
      this.store = store;
      this.passphrase = passphrase;
    }

    synchronized Secrets open(String neededFor) {
      if (opened == null) {
        opened = openSecrets(store, passphrase, neededFor);
      }
      return opened;
    }

    @Override
    public Optional<String> get(String name) {
      return open("secrets read by plugins").get(name);
    }

    @Override
    public void put(String name, String value) {
      open("secrets written by plugins").put(name, value);
    }

    @Override
    public String toString() {
      return "secrets of " + store; // never the passphrase
    }
  }

  private record Parsed(ObjectNode config, LocatedTree tree, Set<String> sensitive, Set<String> deferred,
      Set<String> invalid) {}

}
