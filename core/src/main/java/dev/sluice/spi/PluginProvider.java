package dev.sluice.spi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Common shape of every plugin entry point ({@link ConnectorProvider}, {@link
 * DestinationProvider}, {@link RuleProvider}, {@link AuthenticatorProvider}, {@link
 * TriggerProvider}, {@link StoreProvider}).
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>A public no-argument constructor that does no I/O: providers are instantiated during
 *       discovery, also by {@code sluice plugins} and {@code sluice schema}, which create nothing.
 *   <li>Registered in {@code META-INF/services/dev.sluice.spi.<Kind>Provider} for {@link
 *       java.util.ServiceLoader}, or handed to the builder explicitly.
 *   <li>{@link #type()} is unique per kind across everything on the class path; two providers
 *       claiming one type stop start-up with both jar names in the message.
 * </ul>
 *
 * <p>Thread-safety: {@code create} may be called from several threads; providers are stateless.
 *
 * @param <T> what the provider creates
 */
public interface PluginProvider<T> {

  /**
   * The name configurations use in {@code type:}, e.g. {@code "hubspot"}: lower-case letters,
   * digits and dashes, starting with a letter.
   *
   * @return the type name, never null
   */
  String type();

  /**
   * JSON Schema (draft 2020-12) of this plugin's options, without the {@code type} key. The
   * default accepts any object; real plugins describe every option with a default and a
   * description, because {@code sluice schema} and config validation are built from it.
   *
   * @return a new JSON Schema object
   */
  default ObjectNode configSchema() {
    ObjectNode schema = JsonNodeFactory.instance.objectNode();
    schema.put("type", "object");
    return schema;
  }

  /**
   * One line for {@code sluice plugins}.
   *
   * @return the description; empty by default
   */
  default String description() {
    return "";
  }

  /**
   * Creates an instance from validated options.
   *
   * @param config the options, never null; read them through its typed getters so that a bad
   *     value produces an error naming the instance and the option
   * @param context services of the host, never null
   * @return the new instance, never null
   * @throws dev.sluice.spi.PluginConfigException when an option is missing or invalid
   */
  T create(PluginConfig config, PluginContext context);
}
