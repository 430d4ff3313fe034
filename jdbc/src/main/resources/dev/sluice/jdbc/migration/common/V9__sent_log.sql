-- Sluice store, version 9: notifications already sent (Slack, email), so that a retry, a replay or a
-- restart does not notify twice. Keys are hashes chosen by the destination; nothing of a payload is stored.

CREATE TABLE sluice_sent_log (
  scope      VARCHAR(200) NOT NULL,
  sent_key   VARCHAR(200) NOT NULL,
  expires_at ${timestamp} NOT NULL,
  PRIMARY KEY (scope, sent_key)
);

CREATE INDEX sluice_sent_log_expiry ON sluice_sent_log (expires_at);
