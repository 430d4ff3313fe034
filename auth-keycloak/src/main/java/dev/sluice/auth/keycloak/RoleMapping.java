package dev.sluice.auth.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.auth.keycloak.internal.LogSafe;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * Maps what an identity provider says about a user to Sluice roles: Keycloak realm roles ({@code
 * realm_access.roles}), client roles ({@code resource_access.<client>.roles}) and groups (the
 * {@code groups} claim, with or without the leading {@code /} of a full group path). A provider role
 * or group without a mapping is ignored (one debug line); a user with no mapped role authenticates
 * with no Sluice role, so the access policy denies every action.
 *
 * <pre>{@code
 * RoleMapping.builder()
 *     .realmRole("sluice-admin", "admin")
 *     .clientRole("sluice", "operator", "operator")
 *     .group("/data-team", "viewer")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Nothing is null.
 */
public final class RoleMapping {
  private static final Pattern SLUICE_ROLE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}");

  private final Map<String, Set<String>> realmRoles;
  private final Map<String, Map<String, Set<String>>> clientRoles;
  private final Map<String, Set<String>> groups;

  private RoleMapping(Builder b) {
    this.realmRoles = freeze(b.realmRoles);
    Map<String, Map<String, Set<String>>> c = new LinkedHashMap<>();
    b.clientRoles.forEach((client, m) -> c.put(client, freeze(m)));
    this.clientRoles = Map.copyOf(c);
    this.groups = freeze(b.groups);
  }

  /**
   * A mapping that grants nothing.
   *
   * @return the empty mapping
   */
  public static RoleMapping none() {
    return builder().build();
  }

  /**
   * A builder for a mapping.
   *
   * @return a new, empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Realm role → Sluice roles.
   *
   * @return the immutable map
   */
  public Map<String, Set<String>> realmRoles() {
    return realmRoles;
  }

  /**
   * Client id → (client role → Sluice roles).
   *
   * @return the immutable map
   */
  public Map<String, Map<String, Set<String>>> clientRoles() {
    return clientRoles;
  }

  /**
   * Group (without leading {@code /}) → Sluice roles.
   *
   * @return the immutable map
   */
  public Map<String, Set<String>> groups() {
    return groups;
  }

  /**
   * The Sluice roles a token's (or introspection answer's) claims grant.
   *
   * @param claims the JSON claims, never null
   * @param log where unmapped provider roles are reported at debug level
   * @return a sorted, possibly empty set
   */
  public Set<String> rolesFor(JsonNode claims, Logger log) {
    Set<String> out = new TreeSet<>();
    Set<String> unmapped = new TreeSet<>();
    for (String r : strings(claims.path("realm_access").path("roles"))) {
      add(out, unmapped, realmRoles.get(r), "realm role " + r);
    }
    JsonNode resourceAccess = claims.path("resource_access");
    if (resourceAccess.isObject()) {
      resourceAccess.fieldNames().forEachRemaining(client -> {
        Map<String, Set<String>> forClient = clientRoles.getOrDefault(client, Map.of());
        for (String r : strings(resourceAccess.path(client).path("roles"))) {
          add(out, unmapped, forClient.get(r), "client role " + client + "/" + r);
        }
      });
    }
    for (String g : strings(claims.path("groups"))) {
      add(out, unmapped, groups.get(stripSlash(g)), "group " + g);
    }
    if (!unmapped.isEmpty() && log.isDebugEnabled()) {
      log.debug("ignoring provider roles/groups without a Sluice role mapping: {}",
          String.join(", ", unmapped.stream().map(LogSafe::plain).toList()));
    }
    return out;
  }

  private static void add(Set<String> out, Set<String> unmapped, Set<String> mapped, String what) {
    if (mapped == null) {
      unmapped.add(what);
    } else {
      out.addAll(mapped);
    }
  }

  private static Iterable<String> strings(JsonNode array) {
    Set<String> out = new TreeSet<>();
    if (array.isArray()) {
      for (JsonNode n : array) {
        if (n.isTextual()) {
          out.add(n.asText());
        }
      }
    }
    return out;
  }

  static String stripSlash(String group) {
    return group.startsWith("/") ? group.substring(1) : group;
  }

  private static Map<String, Set<String>> freeze(Map<String, Set<String>> m) {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, Set.copyOf(v)));
    return Map.copyOf(out);
  }

  @Override
  public String toString() {
    return "RoleMapping{realmRoles=" + realmRoles + ", clientRoles=" + clientRoles + ", groups=" + groups + "}";
  }

  /** Collects mappings; each call adds Sluice roles to a provider role. Not thread-safe. */
  public static final class Builder {
    private final Map<String, Set<String>> realmRoles = new LinkedHashMap<>();
    private final Map<String, Map<String, Set<String>>> clientRoles = new LinkedHashMap<>();
    private final Map<String, Set<String>> groups = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Users with realm role {@code realmRole} get {@code sluiceRoles}.
     *
     * @param realmRole the provider's realm role, 1-255 characters
     * @param sluiceRoles Sluice roles, at least one; letters, digits, {@code _ . : -}, at most 64
     *     characters each
     * @return this builder
     * @throws IllegalArgumentException when a name or role is malformed
     */
    public Builder realmRole(String realmRole, String... sluiceRoles) {
      realmRoles.computeIfAbsent(name(realmRole, "realm role"), k -> new TreeSet<>()).addAll(roles(sluiceRoles));
      return this;
    }

    /**
     * Users with role {@code clientRole} of client {@code clientId} get {@code sluiceRoles}.
     *
     * @param clientId the client, 1-255 characters
     * @param clientRole the client's role, 1-255 characters
     * @param sluiceRoles Sluice roles, at least one; letters, digits, {@code _ . : -}, at most 64
     *     characters each
     * @return this builder
     * @throws IllegalArgumentException when a name or role is malformed
     */
    public Builder clientRole(String clientId, String clientRole, String... sluiceRoles) {
      clientRoles.computeIfAbsent(name(clientId, "client id"), k -> new LinkedHashMap<>())
          .computeIfAbsent(name(clientRole, "client role"), k -> new TreeSet<>())
          .addAll(roles(sluiceRoles));
      return this;
    }

    /**
     * Members of {@code group} (a name or full path; a leading {@code /} is ignored) get {@code
     *     sluiceRoles}.
     *
     * @param group the group, 1-255 characters
     * @param sluiceRoles Sluice roles, at least one; letters, digits, {@code _ . : -}, at most 64
     *     characters each
     * @return this builder
     * @throws IllegalArgumentException when a name or role is malformed
     */
    public Builder group(String group, String... sluiceRoles) {
      groups.computeIfAbsent(stripSlash(name(group, "group")), k -> new TreeSet<>()).addAll(roles(sluiceRoles));
      return this;
    }

    /**
     * Builds the mapping; the builder can be used further.
     *
     * @return the immutable mapping
     */
    public RoleMapping build() {
      return new RoleMapping(this);
    }

    private static String name(String value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isBlank() || value.length() > 255) {
        throw new IllegalArgumentException(what + " must be 1-255 characters, got \"" + value + "\"");
      }
      return value;
    }

    private static Set<String> roles(String... sluiceRoles) {
      Set<String> out = new TreeSet<>();
      for (String r : sluiceRoles) {
        if (r == null || !SLUICE_ROLE.matcher(r).matches()) {
          throw new IllegalArgumentException("Sluice role must be letters, digits, '_', '.', ':' or '-' (at most 64),"
              + " got \"" + r + "\"");
        }
        out.add(r);
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("map to at least one Sluice role (viewer, operator, admin or a custom role)");
      }
      return out;
    }
  }
}
