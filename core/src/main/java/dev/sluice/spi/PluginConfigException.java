package dev.sluice.spi;

import dev.sluice.SluiceException;

/**
 * A plugin option is missing or has a value the plugin can't use. The message names the plugin
 * instance, the option and what was expected; it never contains the value of a secret option.
 */
public class PluginConfigException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the plugin instance, the option and what was expected; never a secret
   */
  public PluginConfigException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message names the plugin instance, the option and what was expected; never a secret
   * @param cause the underlying failure
   */
  public PluginConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
