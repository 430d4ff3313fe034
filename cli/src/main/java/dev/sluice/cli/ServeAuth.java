package dev.sluice.cli;

import dev.sluice.auth.LocalAuth;
import dev.sluice.server.ServerOptions;

/** Connects local users to what the server offers for logging in (the dashboard's session). */
final class ServeAuth {
  private ServeAuth() {}

  static void wire(ServerOptions.Builder options, LocalAuth local) {
    // The dashboard's password login is wired here once the server offers it.
  }
}
