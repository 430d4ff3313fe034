package dev.sluice.jdbc.internal;

import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.RunRecord;
import dev.sluice.store.RunStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Run history in {@code sluice_runs}, node heartbeats in {@code sluice_nodes}. Thread-safe. Not API. */
public final class JdbcRunStore implements RunStore {
  private static final List<String> COLUMNS = List.of("id", "pipeline", "run_trigger", "status",
      "started_at", "finished_at", "records_read", "records_delivered", "records_dead_lettered",
      "details", "error", "owner_node");
  private static final String REPLACE = "UPDATE sluice_runs SET pipeline = ?, run_trigger = ?, status = ?,"
      + " started_at = ?, finished_at = ?, records_read = ?, records_delivered = ?, records_dead_lettered = ?,"
      + " details = ?, error = ?, owner_node = ? WHERE id = ? AND status = ? AND ";

  private final Jdbc jdbc;
  private final JsonColumns json;
  private final String upsert;
  private final String heartbeat;

  public JdbcRunStore(Jdbc jdbc, JsonColumns json) {
    this.jdbc = jdbc;
    this.json = json;
    this.upsert = jdbc.dialect().upsert("sluice_runs", COLUMNS,
        COLUMNS.stream().map(c -> "?").toList(), List.of("id"));
    this.heartbeat = jdbc.dialect().upsert("sluice_nodes", List.of("node_id", "last_heartbeat"),
        List.of("?", "?"), List.of("node_id"));
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
        run.recordsDeadLettered(), json.write(run.details()), run.error(), run.owner());
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

  @Override
  public boolean replace(RunRecord run, RunStatus expectedStatus, String expectedOwner) {
    String sql = REPLACE + (expectedOwner == null ? "owner_node IS NULL" : "owner_node = ?");
    Object[] params = {run.pipeline(), run.trigger(), run.status().name(), run.startedAt(), run.finishedAt(),
        run.recordsRead(), run.recordsDelivered(), run.recordsDeadLettered(), json.write(run.details()), run.error(),
        run.owner(), run.id(), expectedStatus.name(), expectedOwner};
    return jdbc.update(() -> "end run '" + run.id() + "' as " + run.status(), sql,
        expectedOwner == null ? java.util.Arrays.copyOf(params, params.length - 1) : params) == 1;
  }

  @Override
  public void heartbeat(String node, Instant at) {
    jdbc.update(() -> "record the heartbeat of node '" + node + "'", heartbeat, node, at);
  }

  @Override
  public void removeNode(String node) {
    jdbc.update(() -> "remove node '" + node + "'", "DELETE FROM sluice_nodes WHERE node_id = ?", node);
  }

  @Override
  public int removeNodesSilentSince(Instant before) {
    return jdbc.update(() -> "remove nodes silent since " + before,
        "DELETE FROM sluice_nodes WHERE last_heartbeat < ?", before);
  }

  @Override
  public List<RunRecord> orphans(Instant aliveSince) {
    return jdbc.query(() -> "find runs whose node stopped",
        "SELECT * FROM sluice_runs r WHERE (r.status = 'RUNNING' AND r.owner_node IS NULL)"
            + " OR (r.status IN ('RUNNING', 'QUEUED') AND r.owner_node IS NOT NULL AND NOT EXISTS"
            + " (SELECT 1 FROM sluice_nodes n WHERE n.node_id = r.owner_node AND n.last_heartbeat >= ?))"
            + " ORDER BY r.started_at, r.id",
        this::map, aliveSince);
  }

  private RunRecord map(ResultSet rs) throws SQLException {
    Dialect d = jdbc.dialect();
    return new RunRecord(rs.getString("id"), rs.getString("pipeline"), rs.getString("run_trigger"),
        RunStatus.valueOf(rs.getString("status")), d.getInstant(rs, "started_at"),
        d.getInstant(rs, "finished_at"), rs.getLong("records_read"), rs.getLong("records_delivered"),
        rs.getLong("records_dead_lettered"), json.readObject(rs.getString("details"), "sluice_runs.details"),
        rs.getString("error"), rs.getString("owner_node"));
  }
}
