/**
 * Cluster mode on the store's database: a {@link dev.sluice.schedule.ClusterCoordinator} on
 * db-scheduler that shares cron firing and runs among the nodes.
 */
package dev.sluice.jdbc.cluster;
