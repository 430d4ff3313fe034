package dev.sluice.jdbc.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.CheckpointStore;
import dev.sluice.store.RunRecord;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checkpoints in {@code sluice_checkpoints}; a commit writes the checkpoint and the run's progress
 * in {@code sluice_runs} in one transaction. Thread-safe. Not API.
 */
public final class JdbcCheckpointStore implements CheckpointStore {
  private static final List<String> COLUMNS = List.of("pipeline", "state", "run_id", "committed_at");

  private final Jdbc jdbc;
  private final JsonColumns json;
  private final JdbcRunStore runs;
  private final Clock clock;
  private final String upsert;

  public JdbcCheckpointStore(Jdbc jdbc, JdbcRunStore runs, Clock clock) {
    this.jdbc = jdbc;
    // Integers come back as longs: positions and offsets are longs (Checkpoint.of(field, long)),
    // and a checkpoint read back must equal the one committed.
    this.json = new JsonColumns(new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS));
    this.runs = runs;
    this.clock = clock;
    this.upsert = jdbc.dialect().upsert("sluice_checkpoints", COLUMNS,
        COLUMNS.stream().map(c -> "?").toList(), List.of("pipeline"));
  }

  @Override
  public Optional<Checkpoint> load(String pipeline) {
    return jdbc.queryOne(() -> "load the checkpoint of pipeline '" + pipeline + "'",
        "SELECT state FROM sluice_checkpoints WHERE pipeline = ?",
        rs -> Checkpoint.of(json.read(rs.getString("state"), "sluice_checkpoints.state")), pipeline);
  }

  @Override
  public void commit(String pipeline, Checkpoint checkpoint, RunRecord progress) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(progress, "progress");
    jdbc.inTransaction(() -> "commit the checkpoint of pipeline '" + pipeline + "' (run '" + progress.id() + "')",
        c -> {
          jdbc.update(c, upsert, pipeline, json.write(checkpoint.state()), progress.id(), clock.instant());
          return runs.save(c, progress);
        });
  }

  @Override
  public void reset(String pipeline) {
    jdbc.update(() -> "reset the checkpoint of pipeline '" + pipeline + "'",
        "DELETE FROM sluice_checkpoints WHERE pipeline = ?", pipeline);
  }
}
