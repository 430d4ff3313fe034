package dev.sluice.spi;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.store.Store;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;

/**
 * Services the host hands to a plugin when it creates an instance.
 *
 * <p>Plugins take time only from {@link #clock()} and never start their own non-daemon threads, so
 * tests can drive them with a fixed clock and hosts can shut them down.
 *
 * <p>Thread-safety: every method may be called from any thread. Nullability: nothing returns null.
 */
public interface PluginContext {

  /**
   * The name of the instance being created: the destination name for a destination, the pipeline
   * name for a connector or trigger, the rule name for a rule.
   *
   * @return the instance's name
   */
  String name();

  /**
   * The kind of plugin being created.
   *
   * @return the kind
   */
  PluginKind kind();

  /**
   * The one clock of the host; plugins never call {@code Instant.now()}.
   *
   * @return the clock
   */
  Clock clock();

  /**
   * Where plugins register their meters; tagged by the host with the instance name.
   *
   * @return the registry
   */
  MeterRegistry meterRegistry();

  /**
   * The shared, configured JSON mapper. Do not reconfigure it.
   *
   * @return the mapper
   */
  ObjectMapper objectMapper();

  /**
   * A logger named after the plugin instance ({@code sluice.<kind>.<name>}).
   *
   * @return the logger
   */
  Logger logger();

  /**
   * State access: checkpoints, dead letters, secrets and so on.
   *
   * @return the host's store
   */
  Store store();

  /**
   * Named secrets as plaintext, to read at run time or write back (a rotated OAuth refresh token).
   * The default, and what hosts without a master key ({@code secrets.key}) hand out, is {@link
   * PluginSecrets#UNAVAILABLE}, which fails with a message saying how to configure secrets.
   *
   * @return the secrets; {@link PluginSecrets#UNAVAILABLE} when the host has none
   */
  default PluginSecrets secrets() {
    return PluginSecrets.UNAVAILABLE;
  }
}
