package dev.sluice.pipeline;

import dev.sluice.internal.engine.PipelineEngine;
import dev.sluice.record.Checkpoint;
import dev.sluice.testing.Eventually;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Records each time a run's committer looked at what it may commit, so a test can wait for the
 * committer to have seen a state (batches settled, checkpoints routed) and then check what it did
 * then: a deterministic "nothing was committed" instead of sleeping and hoping.
 */
final class CommitLooks implements PipelineEngine.CommitObserver {
  /** One look: what the committer had been told before it looked, and what it committed. */
  record Look(long batchesSettled, long checkpointsRouted, Checkpoint committed) {}

  private final List<Look> looks = new CopyOnWriteArrayList<>();

  static CommitLooks on(PipelineEngine engine) {
    CommitLooks looks = new CommitLooks();
    engine.observeCommits(looks);
    return looks;
  }

  /**
   * Observes the engine of {@code pipeline} in {@code sluice}. Sluice keeps its engines to itself
   * (callers must not bypass its shutdown protocol), so the test reaches it reflectively.
   */
  static CommitLooks on(dev.sluice.Sluice sluice, String pipeline) {
    try {
      java.lang.reflect.Method engine = dev.sluice.Sluice.class.getDeclaredMethod("engine", String.class);
      engine.setAccessible(true);
      return on((PipelineEngine) engine.invoke(sluice, pipeline));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("Sluice.engine(String) is gone: update this test hook", e);
    }
  }

  @Override
  public void looked(long batchesSettled, long checkpointsRouted, Checkpoint committed) {
    looks.add(new Look(batchesSettled, checkpointsRouted, committed));
  }

  /** Waits until the committer looked with {@code condition} true; returns that look. */
  Look await(String what, Predicate<Look> condition) throws InterruptedException {
    Eventually.await(what, () -> looks.stream().anyMatch(condition));
    return looks.stream().filter(condition).findFirst().orElseThrow();
  }

  /** Everything committed so far, in order. */
  List<Checkpoint> committed() {
    return looks.stream().map(Look::committed).filter(Objects::nonNull).toList();
  }
}
