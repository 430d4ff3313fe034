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
  public CreatedApiKey {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(key, "key");
  }

  @Override
  public String toString() {
    return "CreatedApiKey{" + info + ", key=***}";
  }
}
