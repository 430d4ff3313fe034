/**
 * Machinery shared by the {@code slack} and {@code email} destinations: Mustache templates with
 * their escapers and helpers, the sent-log guard against duplicate notifications, per-target pacing.
 * Not API: nothing here appears in a public signature and it may change in any release.
 */
package dev.sluice.destinations.notify.internal;
