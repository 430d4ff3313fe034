package dev.sluice.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * The starter's own settings under {@code sluice.*}. Everything else under {@code sluice.*}
 * ({@code store}, {@code secrets}, {@code destinations}, {@code pipelines}, {@code cluster}) is the
 * Sluice configuration model itself, read by {@link SluiceConfigBinder} and validated exactly like
 * a Sluice YAML file; it is not bound here.
 *
 * <p>A mutable JavaBean, as Spring binds it; not thread-safe while being bound, read-only after.
 */
@ConfigurationProperties(prefix = SluiceProperties.PREFIX)
public class SluiceProperties {
  /** The property prefix: {@value}. */
  public static final String PREFIX = "sluice";

  /** Whether to create the Sluice bean at all. */
  private boolean enabled = true;

  /**
   * Sluice configuration files (YAML or JSON), e.g. {@code classpath:sluice.yaml} or {@code
   * file:/etc/sluice/sluice.yaml}, merged in order; the {@code sluice.*} properties of the
   * application are merged over them (they win).
   */
  private List<Resource> configLocation = new ArrayList<>();

  /** Whether to start the triggers (cron, webhooks, plugin triggers) when the application context starts. */
  private boolean autoStartup = true;

  /**
   * How long stopping the application context waits for runs in progress to deliver what they
   * read before stopping them (what they did not deliver is read again next time).
   */
  private Duration shutdownTimeout = Duration.ofSeconds(30);

  /** Webhook triggers served by Spring MVC. */
  private final Webhooks webhooks = new Webhooks();

  /** @return whether to create the Sluice bean */
  public boolean isEnabled() {
    return enabled;
  }

  /** @param enabled whether to create the Sluice bean */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** @return the Sluice configuration files, in merge order; never null */
  public List<Resource> getConfigLocation() {
    return configLocation;
  }

  /** @param configLocation the Sluice configuration files, in merge order; null for none */
  public void setConfigLocation(List<Resource> configLocation) {
    this.configLocation = configLocation == null ? new ArrayList<>() : new ArrayList<>(configLocation);
  }

  /** @return whether the triggers start with the application context */
  public boolean isAutoStartup() {
    return autoStartup;
  }

  /** @param autoStartup whether the triggers start with the application context */
  public void setAutoStartup(boolean autoStartup) {
    this.autoStartup = autoStartup;
  }

  /** @return how long stopping waits for runs in progress; never null */
  public Duration getShutdownTimeout() {
    return shutdownTimeout;
  }

  /**
   * @param shutdownTimeout how long stopping waits for runs in progress; at least zero
   * @throws IllegalArgumentException when null or negative
   */
  public void setShutdownTimeout(Duration shutdownTimeout) {
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("sluice.shutdown-timeout must be >= 0, got " + shutdownTimeout);
    }
    this.shutdownTimeout = shutdownTimeout;
  }

  /** @return the webhook settings; never null */
  public Webhooks getWebhooks() {
    return webhooks;
  }

  /** Settings of the webhook endpoints mounted on Spring MVC. Mutable JavaBean; not thread-safe while bound. */
  public static class Webhooks {
    /**
     * Whether to serve the pipelines' webhook triggers (each at its own path, e.g. {@code
     * /hooks/github}) through Spring MVC, when the application is a servlet web application.
     */
    private boolean enabled = true;

    /**
     * Order of the handler mapping that serves the webhook paths, relative to the application's
     * own mappings (controllers are at 0; lower comes first).
     */
    private int order = -1;

    /** @return whether webhooks are served through Spring MVC */
    public boolean isEnabled() {
      return enabled;
    }

    /** @param enabled whether webhooks are served through Spring MVC */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /** @return the order of the webhook handler mapping */
    public int getOrder() {
      return order;
    }

    /** @param order the order of the webhook handler mapping */
    public void setOrder(int order) {
      this.order = order;
    }
  }
}
