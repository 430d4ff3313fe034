package dev.sluice.destinations.database;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.sluice.jdbc.internal.JdbcUrls;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginContext;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code database} destination type. Options:
 *
 * <pre>{@code
 * warehouse:
 *   type: database
 *   url: jdbc:postgresql://db:5432/warehouse
 *   username: loader
 *   password: ${secret:warehouse_password}
 *   table: deals
 *   mode: upsert                 # insert (default without upsertKey), upsert, copy (PostgreSQL)
 *   upsertKey: [id]
 *   idempotencyKeyColumn: sluice_key
 *   createTable: true
 *   columns:
 *     id:     { path: "$.id", type: bigint }
 *     name:   "$.properties.dealname"          # text
 *     amount: { path: "$.properties.amount", type: numeric }
 * }</pre>
 *
 * See {@link DatabaseDestination}. Stateless; thread-safe.
 */
public final class DatabaseDestinationProvider implements DestinationProvider {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Override
  public String type() {
    return "database";
  }

  @Override
  public String description() {
    return "Rows in a database table: insert, upsert by key, or PostgreSQL COPY";
  }

  @Override
  public ObjectNode configSchema() {
    ObjectNode column = F.objectNode().put("type", "object").put("additionalProperties", false);
    column.putArray("required").add("path");
    ObjectNode props = column.putObject("properties");
    props.set("path", ConfigSchemas.string("JSONPath of the value in the record, e.g. $.id"));
    props.set("type", ConfigSchemas.enumOf("Column type (default text).", "text", "integer", "bigint",
        "double", "numeric", "boolean", "timestamp", "date", "json", "uuid"));
    ObjectNode columns = F.objectNode().put("type", "object")
        .put("description", "Column name to JSONPath (text) or to {path, type}.");
    columns.putObject("additionalProperties").putArray("oneOf")
        .add(ConfigSchemas.string("JSONPath of a text value")).add(column);
    return ConfigSchemas.object()
        .description("Writes records as rows of a database table.")
        .required("url", ConfigSchemas.string("JDBC URL: jdbc:postgresql:, jdbc:h2:, jdbc:mysql: or jdbc:mariadb:"))
        .optional("username", ConfigSchemas.string("Database user."))
        .optional("password", ConfigSchemas.secret("Database password."))
        .required("table", ConfigSchemas.string("Table name (letters, digits, underscores)."))
        .optional("schema", ConfigSchemas.string("Schema of the table."))
        .optional("mode", ConfigSchemas.enumOf("insert, upsert (by upsertKey) or copy (PostgreSQL COPY, append).",
            "insert", "upsert", "copy"))
        .required("columns", columns)
        .optional("upsertKey", ConfigSchemas.stringList("Key columns of upsert mode."))
        .optional("idempotencyKeyColumn", ConfigSchemas.string(
            "Column that receives each record's idempotency key; makes replays harmless."))
        .optional("createTable", ConfigSchemas.bool("Create the table from the mapping if it is missing.", false))
        .optional("poolSize", ConfigSchemas.integer("Connections in the destination's pool.", 4, 1))
        .optional("connectionTimeout", ConfigSchemas.duration("How long to wait for a connection.", "10s"))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    DatabaseDestination.Builder b = DatabaseDestination.builder(context.name());
    try {
      String url = config.secret("url"); // may carry credentials: never echoed
      if (!url.startsWith("jdbc:")) {
        throw config.invalid("url", "a JDBC URL", TextNode.valueOf(JdbcUrls.redact(url)));
      }
      b.url(url);
      config.optionalString("username").ifPresent(b::username);
      if (config.has("password")) {
        b.password(config.secret("password"));
      }
      b.table(config.string("table"));
      config.optionalString("schema").ifPresent(b::schema);
      if (config.has("mode")) {
        b.mode(config.enumValue("mode", DatabaseDestination.Mode.class, DatabaseDestination.Mode.INSERT));
      }
      JsonNode columns = config.node("columns").orElseThrow(
          () -> new PluginConfigException(config.owner() + ": option 'columns' is required (column name to JSONPath)"));
      if (!columns.isObject() || columns.isEmpty()) {
        throw config.invalid("columns", "an object of column name to JSONPath or {path, type}", columns);
      }
      for (Map.Entry<String, JsonNode> e : columns.properties()) {
        JsonNode spec = e.getValue();
        if (spec.isTextual()) {
          b.column(e.getKey(), spec.asText(), ColumnType.TEXT);
        } else if (spec.isObject() && spec.path("path").isTextual()) {
          ColumnType type = ColumnType.TEXT;
          if (spec.has("type")) {
            try {
              type = ColumnType.parse(spec.get("type").asText());
            } catch (IllegalArgumentException unknown) {
              throw config.invalid("columns." + e.getKey() + ".type", "one of text, integer, bigint, double, "
                  + "numeric, boolean, timestamp, date, json, uuid", spec.get("type"));
            }
          }
          b.column(e.getKey(), spec.get("path").asText(), type);
        } else {
          throw config.invalid("columns." + e.getKey(), "a JSONPath string or {path, type}", spec);
        }
      }
      b.upsertKey(config.stringList("upsertKey"));
      config.optionalString("idempotencyKeyColumn").ifPresent(b::idempotencyKeyColumn);
      b.createTable(config.bool("createTable", false));
      b.poolSize(config.intValue("poolSize", 4, 1, 100));
      b.connectionTimeout(config.duration("connectionTimeout", Duration.ofSeconds(10)));
      return b.build();
    } catch (IllegalArgumentException e) {
      // The builder's messages already name the destination and the rejected value.
      throw new PluginConfigException(e.getMessage(), e);
    }
  }
}
