package dev.sluice.auth;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who made a request, as established by an {@link dev.sluice.spi.Authenticator}.
 *
 * @param name the user name or client id, never null
 * @param roles the Sluice roles granted (e.g. {@code admin}, {@code operator}, {@code viewer}),
 *     never null
 * @param attributes extra claims worth showing (e.g. e-mail), never null; never secrets
 */
public record Principal(String name, Set<String> roles, Map<String, String> attributes) {
  public Principal {
    Objects.requireNonNull(name, "name");
    roles = Set.copyOf(roles);
    attributes = Map.copyOf(attributes);
  }

  public Principal(String name, Set<String> roles) {
    this(name, roles, Map.of());
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
