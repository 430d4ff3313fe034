/**
 * Authentication and authorisation: {@link dev.sluice.auth.LocalAuth} (local users with hashed
 * passwords, ES256 access tokens, single-use refresh tokens, API keys, login throttling and an
 * audit trail), the role-based {@link dev.sluice.auth.AccessPolicy} with its {@link
 * dev.sluice.auth.Permission}s, built-in and custom roles, and {@link dev.sluice.auth.Secrets}, the
 * encrypted secrets of an installation.
 *
 * <p>State lives in a {@code dev.sluice.store.Store}; this package does the hashing, encryption and
 * decisions, so the store only ever sees hashes and ciphertext. Nothing secret (password, token,
 * key, secret value) is logged, audited or put in an exception message. Values are immutable; the
 * services are thread-safe.
 */
package dev.sluice.auth;
