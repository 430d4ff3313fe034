-- Sluice store, version 2: destination and rule definitions managed through the REST API.
-- Same shape as sluice_pipelines: JSON spec plus a version for optimistic locking.

CREATE TABLE sluice_destinations (
  name       VARCHAR(200) NOT NULL PRIMARY KEY,
  spec       ${text}      NOT NULL,
  version    BIGINT       NOT NULL,
  updated_at ${timestamp} NOT NULL
);

CREATE TABLE sluice_rules (
  name       VARCHAR(200) NOT NULL PRIMARY KEY,
  spec       ${text}      NOT NULL,
  version    BIGINT       NOT NULL,
  updated_at ${timestamp} NOT NULL
);
