/**
 * Implementation of the {@code bigquery} connector: the query reader and the type mapping
 * (credentials and the REST caller come from {@code sluice-connectors-google}). Not API: may change in any release.
 */
package dev.sluice.connectors.bigquery.internal;
