/**
 * What Sluice's Google connectors ({@code ga4}, {@code bigquery}) share: Google credentials
 * (service-account JWT bearer with the key's {@code token_uri}, refresh token, Application Default
 * Credentials) and the REST caller with Google's retry rules, {@code Retry-After} and secret masking.
 * Not API: may change in any release.
 */
package dev.sluice.connectors.google.internal;
