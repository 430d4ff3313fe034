package dev.sluice.schedule;

/**
 * What starts runs of a pipeline, as part of its definition: a {@link CronTrigger}, a {@link
 * WebhookTrigger} or a {@link PluginTrigger}. (API runs need no definition: every pipeline can be
 * started with {@code Sluice.trigger(...)}.)
 *
 * <p>Implementations are immutable values with meaningful equality, so two pipeline definitions
 * with the same triggers are equal.
 */
public sealed interface TriggerDefinition permits CronTrigger, WebhookTrigger, PluginTrigger {

  /**
   * How runs started by this trigger are named in the run history, e.g. {@code "cron 0 9 * * 1-5
   * Europe/Berlin"} or {@code "webhook /hooks/hubspot"}. Never contains secrets.
   *
   * @return the description, never null
   */
  String describe();
}
