/**
 * What starts runs: cron schedules and triggers with misfire, daylight-saving and jitter policies,
 * webhook triggers with signature verification and replay protection, run handles, tickers (the
 * source of time) and the cluster coordination interfaces.
 */
package dev.sluice.schedule;
