package dev.sluice.spring.boot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import dev.sluice.spi.StoreProvider;
import dev.sluice.store.Store;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The {@code datasource} store type: Sluice's JDBC store on the host application's {@link
 * DataSource} bean ({@code store: { type: datasource }}). The starter picks it by itself when the
 * application has a {@code DataSource}, {@code sluice-jdbc} is on the class path and the
 * configuration names no {@code store}. Sluice's tables ({@code sluice_*}, see {@code
 * docs/development/database_schema.md}) are created and upgraded by Flyway on start unless {@code
 * migrate: false}. Closing the store leaves the data source open: Spring owns it.
 *
 * <p>Immutable; thread-safe.
 */
public final class DataSourceStoreProvider implements StoreProvider {
  /** The store type: {@value}. */
  public static final String TYPE = "datasource";

  private final DataSource dataSource;

  /** @param dataSource the host's data source; never null */
  public DataSourceStoreProvider(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public String description() {
    return "State in the Spring application's DataSource (the jdbc store on the host's connection pool)";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object()
        .description("Sluice state in the Spring application's DataSource.")
        .optional("migrate", ConfigSchemas.bool("Apply pending schema migrations (tables sluice_*) on start.", true))
        .build();
  }

  @Override
  public Store create(PluginConfig config, PluginContext context) {
    JdbcStore store = JdbcStore.forDataSource(dataSource, context.clock());
    if (config.bool("migrate", true)) {
      store.migrate();
    }
    return store;
  }
}
