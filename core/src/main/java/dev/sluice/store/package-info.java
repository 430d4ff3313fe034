/**
 * Where Sluice keeps state: the {@link dev.sluice.store.Store} interface with its required parts
 * (checkpoints, run history, dead letters) and optional capabilities (secrets, users and API keys,
 * authentication state, roles, audit log, stored configurations, replay cache, sent log), the
 * immutable records they keep, and {@link dev.sluice.store.InMemoryStore}.
 *
 * <p>Stores only keep data: hashing, encryption and access decisions happen above them, in {@code
 * dev.sluice.auth}, so stores never see passwords, tokens, API keys or secret values, only hashes
 * and ciphertext. Every store interface here is safe for concurrent use; records are immutable and
 * copy mutable components (JSON, byte arrays) in and out.
 */
package dev.sluice.store;
