/**
 * The {@code bigquery} connector: BigQuery query results through the REST API ({@link
 * dev.sluice.connectors.bigquery.BigQueryConnectorProvider}). Everything in {@code .internal} is
 * implementation, not API.
 */
package dev.sluice.connectors.bigquery;
