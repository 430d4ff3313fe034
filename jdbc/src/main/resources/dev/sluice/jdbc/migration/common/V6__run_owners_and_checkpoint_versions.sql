-- Sluice store, version 6: which node runs each run, node heartbeats, and versioned checkpoints.
-- A run whose node's heartbeat went stale is ended as INTERRUPTED by another node; a checkpoint
-- commit names the version it replaces, so overlapping runs can't move a checkpoint backwards.
-- Existing checkpoints start at version 1; existing runs have no owner.

ALTER TABLE sluice_runs ADD COLUMN owner_node VARCHAR(200);

CREATE INDEX sluice_runs_status ON sluice_runs (status);

ALTER TABLE sluice_checkpoints ADD COLUMN version BIGINT DEFAULT 1 NOT NULL;

CREATE TABLE sluice_nodes (
  node_id        VARCHAR(200) NOT NULL PRIMARY KEY,
  last_heartbeat ${timestamp} NOT NULL
);
