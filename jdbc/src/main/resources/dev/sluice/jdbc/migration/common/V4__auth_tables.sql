-- Sluice store, version 4: local users, API keys and encrypted secrets. Only hashes and
-- ciphertext are stored; authentication and encryption happen above the store.

CREATE TABLE sluice_users (
  username      VARCHAR(200)  NOT NULL PRIMARY KEY,
  password_hash VARCHAR(500)  NOT NULL,
  roles         VARCHAR(2000) NOT NULL,
  enabled       BOOLEAN       NOT NULL,
  created_at    ${timestamp}  NOT NULL
);

CREATE TABLE sluice_api_keys (
  id         VARCHAR(200)  NOT NULL PRIMARY KEY,
  name       VARCHAR(200)  NOT NULL,
  owner      VARCHAR(200)  NOT NULL,
  key_hash   VARCHAR(500)  NOT NULL,
  roles      VARCHAR(2000) NOT NULL,
  created_at ${timestamp}  NOT NULL,
  expires_at ${timestamp},
  revoked    BOOLEAN       NOT NULL
);

CREATE UNIQUE INDEX sluice_api_keys_key_hash ON sluice_api_keys (key_hash);
CREATE INDEX sluice_api_keys_owner ON sluice_api_keys (owner);

CREATE TABLE sluice_secrets (
  name       VARCHAR(200) NOT NULL PRIMARY KEY,
  ciphertext ${bytes}     NOT NULL,
  updated_at ${timestamp} NOT NULL
);
