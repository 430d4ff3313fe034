package dev.sluice.routing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.Rule;

/**
 * Turns a custom rule reference ({@code rule: my-check} in a condition, {@code custom: my-step} in
 * a transform list) into a {@link Rule} from a plugin. Sluice supplies one backed by its provider
 * registry when it is built.
 */
@FunctionalInterface
public interface RuleResolver {

  /**
   * Resolves one reference.
   *
   * @param type the rule plugin's type
   * @param options its options, never null
   * @return the rule instance, never null
   * @throws dev.sluice.SluiceException when no plugin offers that type or the options are invalid
   */
  Rule resolve(String type, ObjectNode options);
}
