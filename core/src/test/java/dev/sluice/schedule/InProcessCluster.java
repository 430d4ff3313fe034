package dev.sluice.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of Sluice nodes in one JVM for testing the coordinator seam: one shared queue of
 * requests that each started node's worker thread claims from; a request whose node stops mid-run
 * goes back to the queue. Cron times are fired by the test through {@link #nodes}.
 */
final class InProcessCluster {
  final LinkedBlockingDeque<RunRequest> queue = new LinkedBlockingDeque<>();
  final List<ClusterNode> nodes = new CopyOnWriteArrayList<>();
  final List<String> handedBack = new CopyOnWriteArrayList<>();

  /** One node's view of the cluster. */
  ClusterCoordinator coordinator(String name) {
    return new ClusterCoordinator() {
      private final List<Thread> workers = new ArrayList<>();
      private volatile boolean closed;

      @Override
      public void start(ClusterNode node) {
        nodes.add(node);
        Thread worker = new Thread(() -> {
          while (!closed) {
            RunRequest r;
            try {
              r = queue.poll(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
              return;
            }
            if (r == null) {
              continue;
            }
            try {
              node.execute(r);
            } catch (NodeStoppingException e) {
              handedBack.add(r.runId());
              queue.addFirst(r);
              closed = true; // a stopping node claims nothing more
            }
          }
        }, "cluster-" + name);
        worker.setDaemon(true);
        workers.add(worker);
        worker.start();
      }

      @Override
      public void enqueue(RunRequest request) {
        queue.add(request);
      }

      @Override
      public boolean withdraw(String runId) {
        return queue.removeIf(r -> r.runId().equals(runId));
      }

      @Override
      public void close() {
        closed = true;
      }

      @Override
      public String toString() {
        return "in-process cluster node " + name;
      }
    };
  }
}
