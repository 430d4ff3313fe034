package dev.sluice.auth;

import java.util.Objects;

/**
 * A new API key: its description and the key itself, which exists only here. Show it to the user
 * once; Sluice keeps only its hash.
 *
 * <p>Immutable. {@link #toString()} never shows the key.
 *
 * @param info the key's description, never null
 * @param key the key ({@code sluice_ak_...}), never null
 */
public record CreatedApiKey(ApiKeyInfo info, String key) {
  /**
   * Checks the components.
   *
   * @param info never null
   * @param key never null
   * @throws NullPointerException when a component is null
   */
  public CreatedApiKey {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(key, "key");
  }

  /**
   * Never shows the key.
   *
   * @return the description, with the key masked
   */
  @Override
  public String toString() {
    return "CreatedApiKey{" + info + ", key=***}";
  }
}
