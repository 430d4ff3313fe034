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
  /**
   * Checks the name and copies the collections.
   *
   * @param name never null
   * @param roles never null
   * @param attributes never null
   * @throws NullPointerException when a component is null
   */
  public Principal {
    Objects.requireNonNull(name, "name");
    roles = Set.copyOf(roles);
    attributes = Map.copyOf(attributes);
  }

  /**
   * A principal without attributes.
   *
   * @param name never null
   * @param roles never null
   */
  public Principal(String name, Set<String> roles) {
    this(name, roles, Map.of());
  }

  /**
   * Whether the principal holds a role.
   *
   * @param role the role name
   * @return whether it is among {@link #roles()}
   */
  public boolean hasRole(String role) {
    return roles.contains(role);
  }
}
