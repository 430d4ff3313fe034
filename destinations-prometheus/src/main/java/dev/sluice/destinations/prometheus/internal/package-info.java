/**
 * Implementation of the {@code prometheus} destination: settings, metric mappings, the series
 * store and the Pushgateway client. Not API: may change in any release.
 */
package dev.sluice.destinations.prometheus.internal;
