/**
 * Loading YAML configuration files: JSON Schema validation built from the installed plugins,
 * {@code ${env:...}} and {@code ${secret:...}} references, and problems reported with file, line,
 * column and JSON pointer ({@link dev.sluice.config.ConfigLoader}).
 */
package dev.sluice.config;
