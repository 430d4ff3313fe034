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

-- db-scheduler 16.x, mysql_tables.sql (mariadb_tables.sql is the same), without its `test.` schema prefix:
create table scheduled_tasks (
  task_name varchar(100) not null,
  task_instance varchar(100) not null,
  task_data blob,
  execution_time timestamp(6) not null,
  picked BOOLEAN not null,
  picked_by varchar(50),
  last_success timestamp(6) null,
  last_failure timestamp(6) null,
  consecutive_failures INT,
  last_heartbeat timestamp(6) null,
  version BIGINT not null,
  priority SMALLINT,
  PRIMARY KEY (task_name, task_instance),
  INDEX execution_time_idx (execution_time),
  INDEX last_heartbeat_idx (last_heartbeat),
  INDEX priority_execution_time_idx (priority desc, execution_time asc)
);
