package dev.sluice.internal.schedule;

import dev.sluice.schedule.RunHandle;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cluster mode: the handles of runs this node enqueued, by run id, so that the node reuses a
 * handle (its live progress, its cancel) when the cluster hands it one of its own runs. Held
 * weakly: a handle the caller dropped (a webhook's, say) is forgotten, so memory stays bounded.
 *
 * <p>Thread-safe.
 */
final class HandleRegistry {
  private final Map<String, WeakReference<DefaultRunHandle>> handles = new ConcurrentHashMap<>();
  private volatile int sweepAt = 1024;

  void put(DefaultRunHandle handle) {
    if (handles.size() >= sweepAt) {
      // Drop forgotten and finished handles; sweep again when the live ones have doubled.
      handles.values().removeIf(r -> r.get() == null || r.get().completed());
      sweepAt = Math.max(1024, 2 * handles.size());
    }
    handles.put(handle.id(), new WeakReference<>(handle));
  }

  /** Removes and returns the handle of {@code runId}, or null. */
  DefaultRunHandle take(String runId) {
    WeakReference<DefaultRunHandle> ref = handles.remove(runId);
    return ref == null ? null : ref.get();
  }
}
