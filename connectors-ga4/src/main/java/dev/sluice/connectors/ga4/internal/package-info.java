/**
 * Implementation of the {@code ga4} connector: the report reader and its settings (credentials
 * and the REST caller come from {@code sluice-connectors-google}). Not API: may change in any release.
 */
package dev.sluice.connectors.ga4.internal;
