/**
 * The built-in {@code file} destination: JSON Lines or CSV files, published atomically or
 * appended, with a journal that repairs files after a crash and avoids writing records twice.
 */
package dev.sluice.destinations.file;
