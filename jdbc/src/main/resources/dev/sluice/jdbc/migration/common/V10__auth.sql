-- Sluice store, version 10: local authentication state, custom roles and the audit log.
-- Only hashes (refresh tokens) and ciphertext (private signing keys) of credentials are stored.

ALTER TABLE sluice_api_keys ADD COLUMN last_used_at ${timestamp};

-- Keys that sign local access tokens; private_key is sealed under the secrets' master key.
CREATE TABLE sluice_signing_keys (
  kid         VARCHAR(64)  NOT NULL PRIMARY KEY,
  algorithm   VARCHAR(20)  NOT NULL,
  public_key  ${bytes}     NOT NULL,
  private_key ${bytes}     NOT NULL,
  created_at  ${timestamp} NOT NULL,
  retired_at  ${timestamp}
);

CREATE TABLE sluice_refresh_tokens (
  token_hash VARCHAR(100) NOT NULL PRIMARY KEY,
  family_id  VARCHAR(64)  NOT NULL,
  username   VARCHAR(200) NOT NULL,
  issued_at  ${timestamp} NOT NULL,
  expires_at ${timestamp} NOT NULL,
  used_at    ${timestamp},
  revoked_at ${timestamp}
);

CREATE INDEX sluice_refresh_tokens_family ON sluice_refresh_tokens (family_id);
CREATE INDEX sluice_refresh_tokens_user ON sluice_refresh_tokens (username);
CREATE INDEX sluice_refresh_tokens_expiry ON sluice_refresh_tokens (expires_at);

-- Failed logins per subject (user:<name> or address:<ip>), for throttling.
CREATE TABLE sluice_login_failures (
  subject          VARCHAR(300) NOT NULL PRIMARY KEY,
  failures         INTEGER      NOT NULL,
  first_failure_at ${timestamp} NOT NULL,
  locked_until     ${timestamp}
);

CREATE TABLE sluice_roles (
  name              VARCHAR(200)  NOT NULL PRIMARY KEY,
  description       VARCHAR(1000) NOT NULL,
  permission_grants ${text}       NOT NULL,
  updated_at        ${timestamp}  NOT NULL
);

CREATE TABLE sluice_audit_log (
  id             ${identity}   PRIMARY KEY,
  occurred_at    ${timestamp}  NOT NULL,
  actor          VARCHAR(200)  NOT NULL,
  action_name    VARCHAR(100)  NOT NULL,
  target         VARCHAR(500),
  success        BOOLEAN       NOT NULL,
  client_address VARCHAR(100),
  detail         VARCHAR(2000)
);

CREATE INDEX sluice_audit_log_time ON sluice_audit_log (occurred_at);
