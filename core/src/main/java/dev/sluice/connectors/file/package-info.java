/**
 * The built-in {@code file} connector: JSON Lines, JSON arrays and CSV, optionally gzip-compressed,
 * with checkpoints so that a re-run continues where the last one stopped.
 */
package dev.sluice.connectors.file;
