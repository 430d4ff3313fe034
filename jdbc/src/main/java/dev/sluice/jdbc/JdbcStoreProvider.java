package dev.sluice.jdbc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sluice.jdbc.internal.JdbcUrls;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.StoreProvider;
import dev.sluice.store.Store;

/**
 * The {@code jdbc} store type: {@code store: { type: jdbc, url: "jdbc:postgresql://...", username:
 * sluice, password: ${secret:db_password} }}; without {@code url}, the embedded H2 file {@value
 * JdbcStoreOptions#DEFAULT_URL}. See {@link JdbcStore}. Stateless; thread-safe.
 */
public final class JdbcStoreProvider implements StoreProvider {

  @Override
  public String type() {
    return "jdbc";
  }

  @Override
  public String description() {
    return "State in a database: embedded H2 file, PostgreSQL, MySQL or MariaDB";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("Sluice state (checkpoints, runs, dead letters, users, secrets, configurations) in a database.")
        .optional("url", ConfigSchemas.string("JDBC URL, e.g. jdbc:postgresql://host:5432/sluice; "
            + "default: the embedded H2 file " + JdbcStoreOptions.DEFAULT_URL + " (relative to the working directory).",
            JdbcStoreOptions.DEFAULT_URL))
        .optional("username", ConfigSchemas.string("Database user."))
        .optional("password", ConfigSchemas.secret("Database password."))
        .optional("poolSize", ConfigSchemas.integer("Connections in the pool.", JdbcStoreOptions.DEFAULT_POOL_SIZE, 1))
        .optional("migrate", ConfigSchemas.bool("Apply pending schema migrations on start.", true))
        .build();
  }

  @Override
  public Store create(PluginConfig config, PluginContext context) {
    JdbcStoreOptions.Builder options = JdbcStoreOptions.builder()
        .clock(context.clock())
        .poolSize(config.intValue("poolSize", JdbcStoreOptions.DEFAULT_POOL_SIZE, 1, 1000))
        .migrate(config.bool("migrate", true));
    // A URL may carry credentials: never echo it on error. Without one, the embedded H2 default
    // (the configuration loader picks this store when a configuration names none).
    String url = config.has("url") ? config.secret("url") : JdbcStoreOptions.DEFAULT_URL;
    if (!url.startsWith("jdbc:")) {
      throw config.invalid("url", "a JDBC URL starting with 'jdbc:'",
          TextNode.valueOf(JdbcUrls.redact(url)));
    }
    options.url(url);
    config.optionalString("username").ifPresent(options::username);
    if (config.has("password")) {
      options.password(config.secret("password"));
    }
    return JdbcStore.open(options.build());
  }
}
