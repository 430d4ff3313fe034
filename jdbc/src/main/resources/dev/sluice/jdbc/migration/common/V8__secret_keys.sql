-- Sluice store, version 8: the key record of the encrypted secrets (SecretStore.keyRecord).
-- One row, slot 1: the key every row of sluice_secrets is encrypted under. It changes only
-- together with every ciphertext, in one transaction (sluice secret rotate-key).

CREATE TABLE sluice_secret_keys (
  slot       INTEGER       NOT NULL PRIMARY KEY,
  key_id     VARCHAR(64)   NOT NULL,
  parameters VARCHAR(1000) NOT NULL,
  created_at ${timestamp}  NOT NULL
);
