package dev.sluice.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * How this node takes part in a cluster ({@code cluster:} in a configuration file).
 *
 * @param nodeName how the node shows in the shared tables; null for a generated name
 * @param threads runs this node executes at once, at least 1
 * @param pollingInterval how often the shared table is polled for due work
 * @param heartbeatInterval how often the node marks its running work alive
 * @param missedHeartbeats after this many missed heartbeats a node counts as dead and its runs
 *     start again elsewhere, from their last checkpoint
 */
public record ClusterSettings(
    String nodeName, int threads, Duration pollingInterval, Duration heartbeatInterval, int missedHeartbeats) {

  /**
   * Four threads, polling every second, a heartbeat every 10 seconds, dead after 6 missed (one
   * minute); the node name is generated.
   */
  public static final ClusterSettings DEFAULTS =
      new ClusterSettings(null, 4, Duration.ofSeconds(1), Duration.ofSeconds(10), 6);

  /**
   * Validates the settings.
   *
   * @param nodeName how the node shows in the shared tables; null for a generated name
   * @param threads runs this node executes at once, at least 1
   * @param pollingInterval how often the shared table is polled for due work
   * @param heartbeatInterval how often the node marks its running work alive
   * @param missedHeartbeats after this many missed heartbeats a node counts as dead and its runs
   *     start again elsewhere, from their last checkpoint
   * @throws IllegalArgumentException when {@code threads} or {@code missedHeartbeats} is under 1
   * @throws NullPointerException when an interval is null
   */
  public ClusterSettings {
    if (threads < 1) {
      throw new IllegalArgumentException("cluster threads must be >= 1, got " + threads);
    }
    Objects.requireNonNull(pollingInterval, "pollingInterval");
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    if (missedHeartbeats < 1) {
      throw new IllegalArgumentException("cluster missedHeartbeats must be >= 1, got " + missedHeartbeats);
    }
  }
}
