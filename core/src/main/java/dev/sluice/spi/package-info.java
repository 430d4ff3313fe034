/**
 * The plugin interfaces: connectors, destinations, rules, triggers, authenticators and stores,
 * each created by a provider found through {@link java.util.ServiceLoader}, and the contexts and
 * configuration Sluice hands to them.
 */
package dev.sluice.spi;
