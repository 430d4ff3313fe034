/**
 * Records and what travels with them: batches handed to destinations, connector checkpoints,
 * idempotency keys and definite JSON paths.
 */
package dev.sluice.record;
