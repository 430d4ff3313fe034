/**
 * The {@code prometheus} destination: records become Prometheus gauges and counters, served for
 * scraping or pushed to a Pushgateway ({@link
 * dev.sluice.destinations.prometheus.PrometheusDestination}). Everything in {@code .internal} is
 * implementation, not API.
 */
package dev.sluice.destinations.prometheus;
