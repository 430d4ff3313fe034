/**
 * The scheduler behind cron, webhook, plugin and API triggers, and the run handles it hands out.
 * Not API: may change in any release.
 */
package dev.sluice.internal.schedule;
