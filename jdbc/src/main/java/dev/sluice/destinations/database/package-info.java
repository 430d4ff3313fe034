/**
 * The {@code database} destination: records as rows of a table in PostgreSQL, H2 or MySQL/MariaDB,
 * by insert, upsert or PostgreSQL {@code COPY} ({@link
 * dev.sluice.destinations.database.DatabaseDestination}).
 */
package dev.sluice.destinations.database;
