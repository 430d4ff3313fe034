/**
 * The {@code ga4} connector: Google Analytics 4 reports through the Data API v1beta ({@link
 * dev.sluice.connectors.ga4.Ga4ConnectorProvider}). Everything in {@code .internal} is
 * implementation, not API.
 */
package dev.sluice.connectors.ga4;
