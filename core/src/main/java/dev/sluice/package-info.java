/**
 * Sluice: an embeddable library that reads records from sources, routes them through rules and
 * delivers them to destinations, on a schedule, on a webhook or when asked. {@code Sluice} and its
 * builder are the runtime face; {@link dev.sluice.SluiceDefinition} holds what an instance runs;
 * {@link dev.sluice.SluiceException} is the root of every exception Sluice throws.
 */
package dev.sluice;
