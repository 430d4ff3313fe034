/** Implementation of {@code dev.sluice.auth.keycloak}; not API, may change without notice. */
package dev.sluice.auth.keycloak.internal;
