package dev.sluice.spi;

/** The kinds of plugins, each with its {@link java.util.ServiceLoader} entry point. */
public enum PluginKind {
  /** Reads records ({@link ConnectorProvider}). */
  CONNECTOR(ConnectorProvider.class),
  /** Delivers records ({@link DestinationProvider}). */
  DESTINATION(DestinationProvider.class),
  /** Custom conditions and transformation steps ({@link RuleProvider}). */
  RULE(RuleProvider.class),
  /** Authenticates API callers ({@link AuthenticatorProvider}). */
  AUTHENTICATOR(AuthenticatorProvider.class),
  /** Starts runs ({@link TriggerProvider}). */
  TRIGGER(TriggerProvider.class),
  /** Keeps Sluice's state ({@link StoreProvider}). */
  STORE(StoreProvider.class);

  private final Class<? extends PluginProvider<?>> providerType;

  PluginKind(Class<? extends PluginProvider<?>> providerType) {
    this.providerType = providerType;
  }

  /**
   * The provider interface registered under {@code META-INF/services}.
   *
   * @return the provider interface
   */
  public Class<? extends PluginProvider<?>> providerType() {
    return providerType;
  }

  /**
   * Lower-case name, as used in messages and by {@code sluice plugins}.
   *
   * @return e.g. {@code connector}
   */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The kind a provider instance belongs to.
   *
   * @param provider a provider instance
   * @return the kind whose {@link #providerType()} it implements
   * @throws IllegalArgumentException when it implements none of them
   */
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
