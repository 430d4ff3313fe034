-- Sluice store, version 3: run history, and the table of the cluster scheduler.
-- This file exists once per dialect because scheduled_tasks is db-scheduler's own definition
-- for this database, copied as its documentation gives it (see database_schema.md).

CREATE TABLE sluice_runs (
  id                    VARCHAR(200)  NOT NULL PRIMARY KEY,
  pipeline              VARCHAR(200)  NOT NULL,
  run_trigger           VARCHAR(1000) NOT NULL,
  status                VARCHAR(20)   NOT NULL,
  started_at            ${timestamp}  NOT NULL,
  finished_at           ${timestamp},
  records_read          BIGINT        NOT NULL,
  records_delivered     BIGINT        NOT NULL,
  records_dead_lettered BIGINT        NOT NULL,
  details               ${text}       NOT NULL,
  error                 ${text}
);

CREATE INDEX sluice_runs_pipeline_started ON sluice_runs (pipeline, started_at);

-- db-scheduler 16.x, postgresql_tables.sql:
create table scheduled_tasks (
  task_name text not null,
  task_instance text not null,
  task_data bytea,
  execution_time timestamp with time zone not null,
  picked BOOLEAN not null,
  picked_by text,
  last_success timestamp with time zone,
  last_failure timestamp with time zone,
  consecutive_failures INT,
  last_heartbeat timestamp with time zone,
  version BIGINT not null,
  priority SMALLINT,
  PRIMARY KEY (task_name, task_instance)
);

CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
