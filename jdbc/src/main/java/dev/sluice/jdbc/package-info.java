/**
 * The JDBC store ({@link dev.sluice.jdbc.JdbcStore}): Sluice's state in H2 (embedded, the default),
 * PostgreSQL or MySQL/MariaDB, with the schema kept by Flyway migrations. Everything in {@code
 * .internal} is implementation, not API.
 */
package dev.sluice.jdbc;
