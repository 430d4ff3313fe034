/**
 * How records reach a destination: batching, retries with backoff, circuit breaker and rate
 * limit settings ({@link dev.sluice.delivery.DeliverySettings}), and the dead letters kept when
 * delivery gives up ({@link dev.sluice.delivery.DeadLetters}).
 */
package dev.sluice.delivery;
