-- Sluice store, version 7: webhook deliveries remembered against replays, shared by every node.
-- Keys are SHA-256 hashes of signed content; nothing of a payload is stored.

CREATE TABLE sluice_webhook_replays (
  scope           VARCHAR(200) NOT NULL,
  replay_key      VARCHAR(200) NOT NULL,
  expires_at      ${timestamp} NOT NULL,
  protected_until ${timestamp} NOT NULL,
  PRIMARY KEY (scope, replay_key)
);

CREATE INDEX sluice_webhook_replays_expiry ON sluice_webhook_replays (expires_at);
