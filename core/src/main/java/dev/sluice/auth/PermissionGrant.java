package dev.sluice.auth;

import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One permission a role grants, on every pipeline or only on some.
 *
 * <h2>Text form</h2>
 *
 * <ul>
 *   <li>{@code runs:trigger}: on every pipeline (and for actions that concern no pipeline);
 *   <li>{@code runs:trigger@orders-*}: on pipelines whose name matches the glob ({@code *} any
 *       characters, {@code ?} one);
 *   <li>{@code runs:trigger@tag:finance}: on pipelines tagged {@code finance}.
 * </ul>
 *
 * Only {@linkplain Permission#pipelineScoped() pipeline-scoped} permissions take a scope.
 *
 * <p>Immutable.
 *
 * @param permission never null
 * @param pipelinePattern a glob of pipeline names, or null
 * @param tag a pipeline tag, or null; at most one of {@code pipelinePattern} and {@code tag}
 */
public record PermissionGrant(Permission permission, String pipelinePattern, String tag) {
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9_.*?-]{1,200}");

  /**
   * Checks the components.
   *
   * @param permission never null
   * @param pipelinePattern a glob of pipeline names, or null
   * @param tag a pipeline tag, or null
   * @throws NullPointerException when {@code permission} is null
   * @throws IllegalArgumentException when both scopes are given, the permission is not
   *     pipeline-scoped but a scope is, or a scope is malformed
   */
  public PermissionGrant {
    Objects.requireNonNull(permission, "permission");
    if (pipelinePattern != null && tag != null) {
      throw new IllegalArgumentException("a grant is scoped by a pipeline pattern or a tag, not both");
    }
    if ((pipelinePattern != null || tag != null) && !permission.pipelineScoped()) {
      throw new IllegalArgumentException(permission.id() + " does not concern pipelines and can't be scoped to some");
    }
    if (pipelinePattern != null && !SCOPE.matcher(pipelinePattern).matches()) {
      throw new IllegalArgumentException("a pipeline pattern is 1-200 letters, digits, '_', '.', '-', '*' or '?', got '"
          + pipelinePattern + "'");
    }
    if (tag != null && (tag.contains("*") || tag.contains("?") || !SCOPE.matcher(tag).matches())) {
      throw new IllegalArgumentException("a tag is 1-200 letters, digits, '_', '.' or '-', got '" + tag + "'");
    }
  }

  /**
   * A grant on every pipeline.
   *
   * @param permission never null
   * @return the unscoped grant
   */
  public static PermissionGrant of(Permission permission) {
    return new PermissionGrant(permission, null, null);
  }

  /**
   * Parses the text form (see the class comment).
   *
   * @param text e.g. {@code runs:trigger@orders-*}; surrounding blanks are ignored
   * @return the grant
   * @throws IllegalArgumentException naming the rejected text and what was expected
   */
  public static PermissionGrant parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("an empty permission grant; expected e.g. runs:trigger or runs:trigger@orders-*");
    }
    String t = text.strip();
    int at = t.indexOf('@');
    String id = at < 0 ? t : t.substring(0, at);
    Permission p = Permission.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown permission '" + id
        + "' in grant '" + text + "'; known: " + java.util.Arrays.stream(Permission.values()).map(Permission::id).toList()));
    if (at < 0) {
      return of(p);
    }
    String scope = t.substring(at + 1);
    try {
      return scope.startsWith("tag:") ? new PermissionGrant(p, null, scope.substring(4))
          : new PermissionGrant(p, scope, null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("grant '" + text + "': " + e.getMessage(), e);
    }
  }

  /**
   * Whether this grant is limited to some pipelines.
   *
   * @return whether it has a pipeline pattern or a tag
   */
  public boolean scoped() {
    return pipelinePattern != null || tag != null;
  }

  /**
   * Whether it covers {@code permission} on {@code pipeline} (null: an action that concerns no
   * single pipeline, which only an unscoped grant covers).
   *
   * @param wanted the permission asked for
   * @param pipeline the pipeline the action concerns, or null
   * @param tags the tags of {@code pipeline}, never null
   * @return whether this grant covers it
   */
  public boolean covers(Permission wanted, String pipeline, Set<String> tags) {
    if (wanted != permission) {
      return false;
    }
    if (!scoped()) {
      return true;
    }
    if (pipeline == null) {
      return false;
    }
    return tag != null ? tags.contains(tag) : glob(pipelinePattern, pipeline);
  }

  /** The text form. */
  @Override
  public String toString() {
    return permission.id() + (pipelinePattern != null ? "@" + pipelinePattern : tag != null ? "@tag:" + tag : "");
  }

  static boolean glob(String pattern, String name) {
    // Iterative wildcard match: linear-ish, no regex (no catastrophic backtracking on hostile input).
    int p = 0;
    int n = 0;
    int star = -1;
    int mark = 0;
    while (n < name.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == name.charAt(n))) {
        p++;
        n++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = n;
      } else if (star >= 0) {
        p = star + 1;
        n = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
