package dev.sluice.jdbc.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.record.Checkpoint;
import dev.sluice.store.CheckpointStore;
import dev.sluice.store.RunRecord;
import dev.sluice.store.StoredCheckpoint;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * Checkpoints in {@code sluice_checkpoints}; a commit writes the checkpoint and the run's progress
 * in {@code sluice_runs} in one transaction, fenced on the row's {@code version} and {@code
 * run_id}: an {@code UPDATE ... WHERE version = ? AND run_id = ?} that must change one row, or an
 * {@code INSERT} that must not meet an existing one. Thread-safe. Not API.
 */
public final class JdbcCheckpointStore implements CheckpointStore {
  private final Jdbc jdbc;
  private final JsonColumns json;
  private final JdbcRunStore runs;
  private final Clock clock;

  public JdbcCheckpointStore(Jdbc jdbc, JdbcRunStore runs, Clock clock) {
    this.jdbc = jdbc;
    // Integers come back as longs: positions and offsets are longs (Checkpoint.of(field, long)),
    // and a checkpoint read back must equal the one committed.
    this.json = new JsonColumns(new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS));
    this.runs = runs;
    this.clock = clock;
  }

  @Override
  public Optional<StoredCheckpoint> position(String pipeline) {
    return jdbc.queryOne(() -> "load the checkpoint of pipeline '" + pipeline + "'",
        "SELECT state, version, run_id FROM sluice_checkpoints WHERE pipeline = ?",
        rs -> new StoredCheckpoint(Checkpoint.of(json.read(rs.getString("state"), "sluice_checkpoints.state")),
            rs.getLong("version"), rs.getString("run_id")), pipeline);
  }

  @Override
  public Optional<StoredCheckpoint> commit(
      String pipeline, Checkpoint checkpoint, StoredCheckpoint expected, RunRecord progress) {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(progress, "progress");
    StoredCheckpoint next = StoredCheckpoint.after(expected, checkpoint, progress.id());
    String state = json.write(checkpoint.state());
    try {
      return Optional.of(jdbc.inTransaction(
          () -> "commit the checkpoint of pipeline '" + pipeline + "' (run '" + progress.id() + "')",
          c -> {
            if (expected == null) {
              try {
                jdbc.update(c, "INSERT INTO sluice_checkpoints (pipeline, state, run_id, committed_at, version)"
                    + " VALUES (?, ?, ?, ?, ?)", pipeline, state, progress.id(), clock.instant(), next.version());
              } catch (SQLException e) {
                if (Jdbc.isDuplicateKey(e)) {
                  throw new Fenced(); // another run committed first
                }
                throw e;
              }
            } else if (jdbc.update(c, "UPDATE sluice_checkpoints SET state = ?, run_id = ?, committed_at = ?,"
                + " version = ? WHERE pipeline = ? AND version = ? AND run_id = ?", state, progress.id(),
                clock.instant(), next.version(), pipeline, expected.version(), expected.runId()) != 1) {
              throw new Fenced(); // another commit or a reset came first
            }
            runs.save(c, progress);
            return next;
          }));
    } catch (Fenced e) {
      return Optional.empty(); // rolled back: nothing written
    }
  }

  @Override
  public void reset(String pipeline) {
    jdbc.update(() -> "reset the checkpoint of pipeline '" + pipeline + "'",
        "DELETE FROM sluice_checkpoints WHERE pipeline = ?", pipeline);
  }

  /** The commit's compare-and-set failed; thrown to roll the transaction back. */
  private static final class Fenced extends RuntimeException {
    Fenced() {
      super(null, null, false, false);
    }
  }
}
