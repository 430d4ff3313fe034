/**
 * The {@code hubspot} connector: HubSpot CRM objects through the CRM v3 API ({@link
 * dev.sluice.connectors.hubspot.HubSpotConnectorProvider}). Everything in {@code .internal} is
 * implementation, not API.
 */
package dev.sluice.connectors.hubspot;
