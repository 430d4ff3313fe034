package acme.lib;

/**
 * The host's own copy of the library the isolation test's plugins carry in conflicting versions
 * (see {@code dev.sluice.testkit.PluginIsolationTest}).
 */
public final class Version {
  private Version() {}

  public static String value() {
    return "host";
  }
}
