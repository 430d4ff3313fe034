/**
 * The built-in {@code log} destination: logs each record through SLF4J, for trying rules out and
 * for low-volume alerts.
 */
package dev.sluice.destinations.log;
