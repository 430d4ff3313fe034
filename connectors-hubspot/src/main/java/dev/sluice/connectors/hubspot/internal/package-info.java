/**
 * Implementation of the {@code hubspot} connector: the API client, options and cursor. Not API:
 * may change in any release.
 */
package dev.sluice.connectors.hubspot.internal;
