package dev.sluice.jdbc.internal;

import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.RunRecord;
import dev.sluice.store.RunStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Run history in {@code sluice_runs}. Thread-safe. Not API. */
public final class JdbcRunStore implements RunStore {
  private static final List<String> COLUMNS = List.of("id", "pipeline", "run_trigger", "status",
      "started_at", "finished_at", "records_read", "records_delivered", "records_dead_lettered",
      "details", "error");

  private final Jdbc jdbc;
  private final JsonColumns json;
  private final String upsert;

  public JdbcRunStore(Jdbc jdbc, JsonColumns json) {
    this.jdbc = jdbc;
    this.json = json;
    this.upsert = jdbc.dialect().upsert("sluice_runs", COLUMNS,
        COLUMNS.stream().map(c -> "?").toList(), List.of("id"));
  }

  @Override
  public void save(RunRecord run) {
    jdbc.withConnection(() -> "save run '" + run.id() + "' of pipeline '" + run.pipeline() + "'",
        c -> save(c, run));
  }

  /** Inserts or replaces {@code run} on {@code c}, inside the caller's transaction. */
  int save(Connection c, RunRecord run) throws SQLException {
    return jdbc.update(c, upsert, run.id(), run.pipeline(), run.trigger(), run.status().name(),
        run.startedAt(), run.finishedAt(), run.recordsRead(), run.recordsDelivered(),
        run.recordsDeadLettered(), json.write(run.details()), run.error());
  }

  @Override
  public Optional<RunRecord> find(String runId) {
    return jdbc.queryOne(() -> "find run '" + runId + "'",
        "SELECT * FROM sluice_runs WHERE id = ?", this::map, runId);
  }

  @Override
  public List<RunRecord> list(String pipeline, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    if (pipeline == null) {
      return jdbc.query(() -> "list runs", "SELECT * FROM sluice_runs ORDER BY started_at DESC, id LIMIT ?",
          this::map, limit);
    }
    return jdbc.query(() -> "list runs of pipeline '" + pipeline + "'",
        "SELECT * FROM sluice_runs WHERE pipeline = ? ORDER BY started_at DESC, id LIMIT ?",
        this::map, pipeline, limit);
  }

  private RunRecord map(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new RunRecord(rs.getString("id"), rs.getString("pipeline"), rs.getString("run_trigger"),
        RunStatus.valueOf(rs.getString("status")), d.getInstant(rs, "started_at"),
        d.getInstant(rs, "finished_at"), rs.getLong("records_read"), rs.getLong("records_delivered"),
        rs.getLong("records_dead_lettered"), json.readObject(rs.getString("details"), "sluice_runs.details"),
        rs.getString("error"));
  }
}
