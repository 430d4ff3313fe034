-- Sluice store, version 1: pipeline definitions (each with its connector, the `source` part of
-- the spec) as managed through the REST API. Column types come from the dialect placeholders.
-- Every table and column is described in docs/development/database_schema.md.

CREATE TABLE sluice_pipelines (
  name       VARCHAR(200) NOT NULL PRIMARY KEY,
  spec       ${text}      NOT NULL,
  version    BIGINT       NOT NULL,
  updated_at ${timestamp} NOT NULL
);
