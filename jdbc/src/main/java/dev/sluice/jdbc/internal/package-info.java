/**
 * Implementation of the JDBC store: the SQL dialects, the store parts, pools and migrations. Not
 * API: may change in any release.
 */
package dev.sluice.jdbc.internal;
