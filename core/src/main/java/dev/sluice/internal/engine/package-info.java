/**
 * The engine that executes runs: reading, routing, per-destination dispatch with retries and
 * circuit breakers, checkpoint commits and dead-letter replays. Not API: may change in any
 * release.
 */
package dev.sluice.internal.engine;
