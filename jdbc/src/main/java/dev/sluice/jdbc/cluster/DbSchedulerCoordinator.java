package dev.sluice.jdbc.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceException;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.ExecutionOperations;
import com.github.kagkarlsson.scheduler.task.TaskInstanceId;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedule;
import dev.sluice.SluiceException;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.schedule.ClusterCoordinator;
import dev.sluice.schedule.ClusterNode;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.NodeStoppingException;
import dev.sluice.schedule.RunRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterCoordinator} on <a href="https://github.com/kagkarlsson/db-scheduler">db-scheduler</a>
 * and the {@code scheduled_tasks} table the store's migrations create: no locking of Sluice's own.
 *
 * <ul>
 *   <li>Each cron trigger is a db-scheduler recurring task named after pipeline and trigger, whose
 *       {@link Schedule} is the trigger's {@link dev.sluice.schedule.CronSchedule} (DST rules
 *       included); db-scheduler's optimistic locking lets exactly one node execute each time, and
 *       the next time is armed when that run ends ({@link CronTrigger#nextAfterRun}).
 *   <li>Queued runs are instances of the one-time task {@code sluice-run} (instance id = run id,
 *       data = the request as JSON), claimed by whichever node polls first.
 *   <li>Every node heartbeats the executions it runs; when a node's heartbeats stop for {@code
 *       missedHeartbeats} intervals, another node revives the execution and runs it again, from the
 *       run's last committed checkpoint. A node that closes hands its runs back at once.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class DbSchedulerCoordinator implements ClusterCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(DbSchedulerCoordinator.class);
  static final String RUN_TASK = "sluice-run";
  private static final int MAX_FAILURES = 5;

  private final DataSource dataSource;
  private final String nodeName;
  private final int threads;
  private final Duration pollingInterval;
  private final Duration heartbeatInterval;
  private final int missedHeartbeats;
  private final ObjectMapper json = new ObjectMapper();
  private final OneTimeTask<String> runTask;
  private final SchedulerClient client;
  private volatile ClusterNode node;
  private Scheduler scheduler;
  private boolean closed;

  private DbSchedulerCoordinator(Builder b) {
    this.dataSource = b.dataSource;
    this.nodeName = b.nodeName;
    this.threads = b.threads;
    this.pollingInterval = b.pollingInterval;
    this.heartbeatInterval = b.heartbeatInterval;
    this.missedHeartbeats = b.missedHeartbeats;
    this.runTask = Tasks.oneTime(RUN_TASK, String.class)
        .onFailure(this::onRunFailure)
        .onDeadExecutionRevive()
        .execute((instance, context) -> runHere(instance.getData()));
    this.client = SchedulerClient.Builder.create(dataSource, runTask).build();
  }

  /**
   * A coordinator on the store's database.
   *
   * @param dataSource the store's database, with its {@code scheduled_tasks} table migrated
   * @return a new builder
   */
  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  @Override
  public synchronized void start(ClusterNode node) {
    if (scheduler != null || closed) {
      throw new IllegalStateException("coordinator of node " + nodeName + " was already started");
    }
    this.node = Objects.requireNonNull(node, "node");
    List<RecurringTask<Void>> crons = new ArrayList<>();
    node.cronTriggers().forEach((pipeline, triggers) -> triggers.forEach(t -> crons.add(
        Tasks.recurring(cronTaskName(pipeline, t), new CronAdapter(t))
            // A time whose node died or stopped is fired again, as that same time, by another node.
            .onDeadExecution((dead, ops) -> ops.reschedule(dead, dead.getExecution().getExecutionTime()))
            .onFailure((complete, ops) -> ops.reschedule(complete,
                complete.getCause().filter(NodeStoppingException.class::isInstance).isPresent()
                    ? complete.getExecution().getExecutionTime()
                    : new CronAdapter(t).getNextExecutionTime(complete)))
            .execute((instance, context) -> node.fireCron(pipeline, t, context.getExecution().getExecutionTime())))));
    scheduler = Scheduler.create(dataSource, runTask) // startTasks adds the recurring ones
        .startTasks(crons)
        .schedulerName(new SchedulerName.Fixed(nodeName))
        .threads(threads)
        .pollingInterval(pollingInterval)
        .heartbeatInterval(heartbeatInterval)
        .missedHeartbeatsLimit(missedHeartbeats)
        .enableImmediateExecution()
        // Sluice stops this node's runs before closing the coordinator; this only bounds a stuck one.
        .shutdownMaxWait(Duration.ofSeconds(30))
        .build();
    scheduler.start();
    LOG.info("cluster node {} started: {} cron trigger(s), {} threads, polling every {}", nodeName, crons.size(),
        threads, pollingInterval);
  }

  /** One task name per pipeline and trigger; a changed expression is a new task. */
  static String cronTaskName(String pipeline, CronTrigger trigger) {
    return "sluice-cron-" + IdempotencyKeys.of(pipeline, trigger.describe()).substring(0, 16);
  }

  @Override
  public void enqueue(RunRequest request) {
    ObjectNode n = json.createObjectNode();
    n.put("runId", request.runId());
    n.put("pipeline", request.pipeline());
    n.put("kind", request.kind());
    n.put("trigger", request.trigger());
    n.set("parameters", request.parameters());
    n.put("requestedAt", request.requestedAt().toString());
    boolean added;
    try {
      added = client.scheduleIfNotExists(runTask.instance(request.runId(), n.toString()), Instant.now());
    } catch (RuntimeException e) {
      throw new SluiceException("pipeline '" + request.pipeline() + "': run " + request.runId()
          + " could not be queued in the cluster table: " + e.getMessage(), e);
    }
    if (!added) {
      throw new SluiceException("pipeline '" + request.pipeline() + "': run " + request.runId() + " is already queued");
    }
  }

  @Override
  public boolean withdraw(String runId) {
    try {
      client.cancel(TaskInstanceId.of(RUN_TASK, runId));
      return true;
    } catch (TaskInstanceException e) {
      return false; // claimed by a node already, or gone
    } catch (RuntimeException e) {
      LOG.warn("run {} could not be withdrawn from the cluster table: {}", runId, e.getMessage());
      return false;
    }
  }

  private void runHere(String data) {
    ClusterNode n = node;
    if (n == null) {
      throw new NodeStoppingException("node " + nodeName + " is not started");
    }
    JsonNode r;
    try {
      r = json.readTree(data);
    } catch (JsonProcessingException e) {
      throw new SluiceException("cluster run request is not valid JSON: " + e.getOriginalMessage(), e);
    }
    n.execute(new RunRequest(r.path("runId").asText(), r.path("pipeline").asText(), r.path("kind").asText(),
        r.path("trigger").asText(), r.path("parameters"), Instant.parse(r.path("requestedAt").asText())));
  }

  /** A node that stops hands the run back at once; other failures are retried a few times. */
  private void onRunFailure(ExecutionComplete complete, ExecutionOperations<String> ops) {
    Throwable cause = complete.getCause().orElse(null);
    if (cause instanceof NodeStoppingException) {
      ops.reschedule(complete, Instant.now());
      return;
    }
    int failures = complete.getExecution().consecutiveFailures + 1;
    if (failures >= MAX_FAILURES) {
      LOG.error("cluster run {} failed {} times on the nodes; giving up", complete.getExecution().getId(), failures, cause);
      ops.remove();
    } else {
      Duration backoff = Duration.ofSeconds(Math.min(60, 1L << failures));
      LOG.warn("cluster run {} failed on node {}; retrying in {}", complete.getExecution().getId(), nodeName, backoff, cause);
      ops.reschedule(complete, Instant.now().plus(backoff));
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (scheduler != null) {
      scheduler.stop();
    }
  }

  /** The name this node has in {@code picked_by}; Sluice uses it as its node id too. */
  @Override
  public java.util.Optional<String> nodeName() {
    return java.util.Optional.of(nodeName);
  }

  @Override
  public String toString() {
    return "db-scheduler node " + nodeName;
  }

  /** A cron trigger as a db-scheduler schedule. */
  static final class CronAdapter implements Schedule {
    private final CronTrigger trigger;

    CronAdapter(CronTrigger trigger) {
      this.trigger = trigger;
    }

    @Override
    public Instant getNextExecutionTime(ExecutionComplete complete) {
      // db-scheduler also asks with a simulated completion that has no execution, meaning "from now".
      Instant done = complete.getTimeDone();
      Instant scheduledFor = complete.getExecution() == null ? done : complete.getExecution().getExecutionTime();
      return trigger.nextAfterRun(scheduledFor, done).orElse(Schedule.NEVER);
    }

    @Override
    public Instant getInitialExecutionTime(Instant now) {
      return trigger.schedule().nextAfter(now).orElse(Schedule.NEVER);
    }

    @Override
    public boolean isDeterministic() {
      return true;
    }
  }

  /** Settings of a {@link DbSchedulerCoordinator}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private String nodeName = "sluice-" + UUID.randomUUID().toString().substring(0, 8);
    private int threads = 4;
    private Duration pollingInterval = Duration.ofSeconds(1);
    private Duration heartbeatInterval = Duration.ofSeconds(10);
    private int missedHeartbeats = 6;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * How this node appears in {@code picked_by}; default {@code sluice-<random>}.
     *
     * @param value the node name, not blank
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or blank
     */
    public Builder nodeName(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("node name must not be blank, got '" + value + "'");
      }
      this.nodeName = value;
      return this;
    }

    /**
     * Runs this node executes at once; default 4.
     *
     * @param value at least 1
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is under 1
     */
    public Builder threads(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + value);
      }
      this.threads = value;
      return this;
    }

    /**
     * How often the table is polled for due work; default 1 s.
     *
     * @param value positive
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or not positive
     */
    public Builder pollingInterval(Duration value) {
      this.pollingInterval = positive(value, "pollingInterval");
      return this;
    }

    /**
     * How often a node marks its running executions alive; a node is dead after {@code missed}
     * intervals without (default 10 s and 6: one minute).
     *
     * @param interval positive
     * @param missed at least 1
     * @return this builder
     * @throws IllegalArgumentException when a value is out of range
     */
    public Builder heartbeat(Duration interval, int missed) {
      this.heartbeatInterval = positive(interval, "heartbeat interval");
      if (missed < 1) {
        throw new IllegalArgumentException("missed heartbeats must be >= 1, got " + missed);
      }
      this.missedHeartbeats = missed;
      return this;
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    /**
     * Builds the coordinator; it starts nothing until {@link DbSchedulerCoordinator#start} is
     * called.
     *
     * @return the coordinator
     */
    public DbSchedulerCoordinator build() {
      return new DbSchedulerCoordinator(this);
    }
  }
}
