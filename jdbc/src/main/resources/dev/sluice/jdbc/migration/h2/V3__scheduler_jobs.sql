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

-- db-scheduler documents no H2 table; this is its HSQLDB definition (hsql_tables.sql), which H2
-- accepts as is and which db-scheduler's default (TIMESTAMP WITH TIME ZONE) handling expects:
create table scheduled_tasks (
    task_name varchar(100),
    task_instance varchar(100),
    task_data blob,
    execution_time TIMESTAMP WITH TIME ZONE,
    picked BIT,
    picked_by varchar(50),
    last_success TIMESTAMP WITH TIME ZONE,
    last_failure TIMESTAMP WITH TIME ZONE,
    consecutive_failures INT,
    last_heartbeat TIMESTAMP WITH TIME ZONE,
    version BIGINT,
    priority SMALLINT,
    PRIMARY KEY (task_name, task_instance)
);
