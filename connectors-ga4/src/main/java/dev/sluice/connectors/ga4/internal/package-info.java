/**
 * Implementation of the {@code ga4} connector: Google credentials (service-account JWT bearer,
 * refresh token, Application Default Credentials), the retrying REST caller, the report reader. Not
 * API: may change in any release.
 */
package dev.sluice.connectors.ga4.internal;
