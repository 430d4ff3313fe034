package dev.sluice.spring.boot;

import dev.sluice.Sluice;

/**
 * A bean of this type adjusts the {@link Sluice.Builder} the auto-configuration prepared (with the
 * configuration's definition, store and secrets, and the application's meter and observation
 * registries) before it builds the {@code Sluice} bean: e.g. to add a destination instance, a
 * clock or an executor. Customizers run in {@link org.springframework.core.Ordered} order.
 *
 * <p>Implementations are called once, on the thread that creates the bean.
 */
@FunctionalInterface
public interface SluiceBuilderCustomizer {
  /**
   * Adjusts the builder.
   *
   * @param builder the builder the starter prepared; never null
   */
  void customize(Sluice.Builder builder);
}
