package dev.sluice.spi;

/** The kinds of plugins, each with its {@link java.util.ServiceLoader} entry point. */
public enum PluginKind {
  CONNECTOR(ConnectorProvider.class),
  DESTINATION(DestinationProvider.class),
  RULE(RuleProvider.class),
  AUTHENTICATOR(AuthenticatorProvider.class),
  TRIGGER(TriggerProvider.class),
  STORE(StoreProvider.class);

  private final Class<? extends PluginProvider<?>> providerType;

  PluginKind(Class<? extends PluginProvider<?>> providerType) {
    this.providerType = providerType;
  }

  /** The provider interface registered under {@code META-INF/services}. */
  public Class<? extends PluginProvider<?>> providerType() {
    return providerType;
  }

  /** Lower-case name, as used in messages and by {@code sluice plugins}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The kind a provider instance belongs to. */
  public static PluginKind of(PluginProvider<?> provider) {
    for (PluginKind kind : values()) {
      if (kind.providerType.isInstance(provider)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        provider.getClass().getName() + " implements no Sluice provider interface");
  }
}
