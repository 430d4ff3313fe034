package dev.sluice.store;

import dev.sluice.SluiceException;
import java.util.Optional;
import java.util.function.Function;

/**
 * A feature needs an optional capability of the {@link Store} (secrets, users, stored
 * configurations) that the configured store does not offer. The message names the store, the
 * capability and the feature.
 */
public class MissingStoreCapabilityException extends SluiceException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception with a message naming all three.
   *
   * @param store the configured store
   * @param capability what it would need to keep, e.g. {@code "secrets"}
   * @param neededFor the feature that needs it
   */
  public MissingStoreCapabilityException(Store store, String capability, String neededFor) {
    super(neededFor + " needs a store that keeps " + capability + ", but the store " + store + " ("
        + store.getClass().getName() + ") does not; use a store that does, e.g. the jdbc store");
  }

  /**
   * The capability {@code part} of {@code store}.
   *
   * @param <T> the capability's type
   * @param store the configured store
   * @param part the accessor of the capability, e.g. {@code Store::secrets}
   * @param capability what it keeps, for the message ("secrets")
   * @param neededFor the feature that needs it, for the message ("${secret:…} values")
   * @return the capability
   * @throws MissingStoreCapabilityException when the store does not offer it
   */
  public static <T> T require(Store store, Function<Store, Optional<T>> part, String capability, String neededFor) {
    return part.apply(store).orElseThrow(() -> new MissingStoreCapabilityException(store, capability, neededFor));
  }
}
