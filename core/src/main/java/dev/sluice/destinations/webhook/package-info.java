/**
 * The built-in {@code webhook} destination: POSTs records as JSON to an HTTP endpoint, optionally
 * signed (Standard Webhooks or HMAC-SHA256), with a guard against requests to internal addresses.
 */
package dev.sluice.destinations.webhook;
