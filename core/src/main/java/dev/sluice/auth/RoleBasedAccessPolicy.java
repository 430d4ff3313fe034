package dev.sluice.auth;

import dev.sluice.store.RoleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@link AccessPolicy} of roles: a principal may do what one of its roles grants. Roles are
 * the {@link BuiltInRoles} and, when a {@link RoleStore} is given, the custom roles it holds (read
 * at each decision, so a changed role applies at once). A principal's role that is neither is
 * ignored, and the explanation says so.
 *
 * <p>Grants may be limited to pipelines by name pattern or tag ({@link PermissionGrant}); the tags
 * of a pipeline come from the function given to {@link Builder#pipelineTags}. A decision about no
 * single pipeline ({@code pipeline} null) is allowed only by an unscoped grant.
 *
 * <p>Every decision is explained, e.g. {@code denied: role viewer lacks runs:trigger on pipeline
 * orders} or {@code allowed: role operator grants runs:trigger on pipeline orders}.
 *
 * <p>Thread-safe if the role store and the tag function are.
 */
public final class RoleBasedAccessPolicy implements AccessPolicy {
  private final RoleStore store;
  private final Function<String, Set<String>> pipelineTags;

  private RoleBasedAccessPolicy(Builder b) {
    this.store = b.store;
    this.pipelineTags = b.pipelineTags;
  }

  /**
   * A policy of the built-in roles only.
   *
   * @return the policy
   */
  public static RoleBasedAccessPolicy builtInRolesOnly() {
    return builder().build();
  }

  /**
   * A policy of the built-in roles and the custom roles of {@code store}.
   *
   * @param store where custom roles live, never null
   * @return the policy
   */
  public static RoleBasedAccessPolicy withRoles(RoleStore store) {
    return builder().roles(store).build();
  }

  /**
   * A builder for a policy of the built-in roles, without pipeline tags.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RoleBasedAccessPolicy}. Not thread-safe. */
  public static final class Builder {
    private RoleStore store;
    private Function<String, Set<String>> pipelineTags = p -> Set.of();

    private Builder() {}

    /**
     * Where custom roles live; none (built-in roles only) by default.
     *
     * @param roles the role store, never null
     * @return this builder
     */
    public Builder roles(RoleStore roles) {
      this.store = Objects.requireNonNull(roles, "roles");
      return this;
    }

    /**
     * The tags of a pipeline by name (for {@code @tag:} grants); no tags by default.
     *
     * @param tags pipeline name → its tags, never null; called on every scoped decision
     * @return this builder
     */
    public Builder pipelineTags(Function<String, Set<String>> tags) {
      this.pipelineTags = Objects.requireNonNull(tags, "tags");
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     */
    public RoleBasedAccessPolicy build() {
      return new RoleBasedAccessPolicy(this);
    }
  }

  /**
   * The definition of a role by name: built-in, or custom from the store.
   *
   * @param name the role name, or null
   * @return the definition, or empty when there is no such role
   * @throws IllegalArgumentException when a stored custom role does not parse
   */
  public Optional<RoleDefinition> role(String name) {
    if (BuiltInRoles.all().containsKey(name)) {
      return Optional.of(RoleDefinition.builtIn(name));
    }
    if (store == null || name == null) {
      return Optional.empty();
    }
    return store.findRole(name).map(RoleDefinition::fromRecord);
  }

  @Override
  public AccessDecision decide(Principal principal, Permission permission, String pipeline) {
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(permission, "permission");
    String what = permission.id() + (pipeline == null ? "" : " on pipeline " + pipeline);
    Set<String> tags = null;
    List<String> unknown = new ArrayList<>();
    List<String> broken = new ArrayList<>();
    Set<String> considered = new TreeSet<>();
    List<String> scopedOnly = new ArrayList<>();
    for (String roleName : new TreeSet<>(principal.roles())) {
      Optional<RoleDefinition> role;
      try {
        role = role(roleName);
      } catch (RuntimeException e) {
        broken.add(roleName);
        continue;
      }
      if (role.isEmpty()) {
        unknown.add(roleName);
        continue;
      }
      considered.add(roleName);
      for (PermissionGrant g : role.get().grants()) {
        if (g.permission() != permission) {
          continue;
        }
        if (g.scoped() && pipeline != null && g.tag() != null && tags == null) {
          tags = Objects.requireNonNullElse(pipelineTags.apply(pipeline), Set.of());
        }
        if (g.covers(permission, pipeline, tags == null ? Set.of() : tags)) {
          return AccessDecision.allow("allowed: role " + roleName + " grants " + what
              + (g.scoped() ? " (" + g + ")" : ""));
        }
        if (g.scoped()) {
          scopedOnly.add(g.toString());
        }
      }
    }
    StringBuilder why = new StringBuilder("denied: ");
    if (considered.isEmpty()) {
      why.append(principal.name()).append(" has no ").append(principal.roles().isEmpty() ? "" : "known ")
          .append("role granting ").append(what);
    } else {
      why.append(considered.size() == 1 ? "role " : "roles ").append(String.join(", ", considered))
          .append(considered.size() == 1 ? " lacks " : " lack ").append(what);
    }
    if (!scopedOnly.isEmpty()) {
      why.append(" (granted only as ").append(String.join(", ", scopedOnly)).append(")");
    }
    if (!unknown.isEmpty()) {
      why.append("; unknown role").append(unknown.size() == 1 ? " " : "s ").append(String.join(", ", unknown))
          .append(" ignored");
    }
    if (!broken.isEmpty()) {
      why.append("; stored role").append(broken.size() == 1 ? " " : "s ").append(String.join(", ", broken))
          .append(" could not be read and ").append(broken.size() == 1 ? "was" : "were").append(" ignored");
    }
    return AccessDecision.deny(why.toString());
  }

  @Override
  public String toString() {
    return "RoleBasedAccessPolicy{" + (store == null ? "built-in roles" : "built-in and stored roles") + "}";
  }
}
