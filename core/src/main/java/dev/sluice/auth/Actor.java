package dev.sluice.auth;

import java.util.Objects;

/**
 * Who performs an administrative change, for the audit log: a user name (or {@code cli} for the
 * command line) and the client address it came from.
 *
 * <p>Immutable.
 *
 * @param name never null
 * @param clientAddress the caller's address, or null when unknown
 */
public record Actor(String name, String clientAddress) {
  /**
   * Checks the name.
   *
   * @param name never null
   * @param clientAddress or null when unknown
   * @throws NullPointerException when {@code name} is null
   */
  public Actor {
    Objects.requireNonNull(name, "name");
  }

  /**
   * The {@code sluice} command line on this machine.
   *
   * @return an actor named {@code cli:} and the OS user name, without address
   */
  public static Actor cli() {
    return new Actor("cli:" + System.getProperty("user.name", "unknown"), null);
  }

  /**
   * The principal of an authenticated request.
   *
   * @param principal who made it, never null
   * @param clientAddress where it came from, or null
   * @return an actor with the principal's name
   */
  public static Actor of(Principal principal, String clientAddress) {
    return new Actor(principal.name(), clientAddress);
  }
}
