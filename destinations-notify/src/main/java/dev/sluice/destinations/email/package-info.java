/**
 * The {@code email} destination: messages from Mustache templates sent over SMTP with Jakarta Mail
 * (Eclipse Angus). See {@link dev.sluice.destinations.email.EmailDestinationProvider} for the
 * options and {@code docs/user-guide/destinations.md} for examples.
 */
package dev.sluice.destinations.email;
