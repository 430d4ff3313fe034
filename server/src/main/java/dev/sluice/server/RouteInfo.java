package dev.sluice.server;

import dev.sluice.auth.Permission;
import java.util.Objects;
import java.util.Optional;

/**
 * One route a {@link SluiceServer} answers: method, path template (OpenAPI style, {@code
 * /api/v1/runs/{id}}) and the permission it requires.
 *
 * @param method upper case, e.g. {@code GET}; never null
 * @param path the path template; never null
 * @param permission what a caller needs, or null for a public route (health, webhooks with their
 *     own signatures, the OpenAPI document and static assets)
 */
public record RouteInfo(String method, String path, Permission permission) {
  /**
   * Checks the components.
   *
   * @param method upper case, e.g. {@code GET}; never null
   * @param path the path template; never null
   * @param permission what a caller needs, or null for a public route
   * @throws NullPointerException when method or path is null
   */
  public RouteInfo {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(path, "path");
  }

  /**
   * The permission, when the route is protected.
   *
   * @return the permission a caller needs, or empty for a public route
   */
  public Optional<Permission> required() {
    return Optional.ofNullable(permission);
  }
}
