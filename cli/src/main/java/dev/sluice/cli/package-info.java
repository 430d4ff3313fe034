/**
 * The {@code sluice} command line ({@link dev.sluice.cli.SluiceCli}): run, once, validate, schema,
 * plugins, secrets, dead letters and more. Everything but the entry point is package-private.
 */
package dev.sluice.cli;
