/**
 * Implementation of the {@code bigquery} connector: Google credentials (service-account JWT bearer,
 * refresh token, Application Default Credentials), the retrying REST caller, the query reader and
 * the type mapping. Not API: may change in any release.
 */
package dev.sluice.connectors.bigquery.internal;
