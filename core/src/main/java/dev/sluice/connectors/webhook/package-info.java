/**
 * The built-in {@code webhook} connector: emits the payload of a webhook-triggered run as records.
 */
package dev.sluice.connectors.webhook;
