-- Sluice store, version 5: checkpoints and dead letters.

CREATE TABLE sluice_checkpoints (
  pipeline     VARCHAR(200) NOT NULL PRIMARY KEY,
  state        ${text}      NOT NULL,
  run_id       VARCHAR(200) NOT NULL,
  committed_at ${timestamp} NOT NULL
);

CREATE TABLE sluice_dead_letters (
  id              ${identity}  PRIMARY KEY,
  pipeline        VARCHAR(200) NOT NULL,
  destination     VARCHAR(200) NOT NULL,
  run_id          VARCHAR(200) NOT NULL,
  record_key      ${text}      NOT NULL,
  record_json     ${text}      NOT NULL,
  original_json   ${text},
  reason          ${text}      NOT NULL,
  attempts        INTEGER      NOT NULL,
  first_failed_at ${timestamp} NOT NULL,
  last_failed_at  ${timestamp} NOT NULL
);

CREATE INDEX sluice_dead_letters_target ON sluice_dead_letters (pipeline, destination, id);
