package dev.sluice.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.record.Checkpoint;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Store} in memory: the default when nothing else is configured, and for tests. State is
 * lost with the process.
 *
 * <p>Thread-safe. Each part guards its own data; checkpoint commits update the run history under
 * the same lock, so readers never see one without the other.
 */
public final class InMemoryStore implements Store {
  private final Clock clock;
  private final Runs runs = new Runs();
  private final Checkpoints checkpoints = new Checkpoints();
  private final DeadLetters deadLetters = new DeadLetters();
  private final Users users = new Users();
  private final Secrets secrets = new Secrets();
  private final Pipelines pipelines = new Pipelines();
  private final InMemoryReplayCache replays = new InMemoryReplayCache();
  private final InMemorySentLog sentLog = new InMemorySentLog();

  public InMemoryStore() {
    this(Clock.systemUTC());
  }

  /** @param clock stamps {@link ConfigDocument#updatedAt()} */
  public InMemoryStore(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public CheckpointStore checkpoints() {
    return checkpoints;
  }

  @Override
  public RunStore runs() {
    return runs;
  }

  @Override
  public DeadLetterStore deadLetters() {
    return deadLetters;
  }

  @Override
  public Optional<UserStore> users() {
    return Optional.of(users);
  }

  @Override
  public Optional<SecretStore> secrets() {
    return Optional.of(secrets);
  }

  @Override
  public Optional<PipelineStore> pipelines() {
    return Optional.of(pipelines);
  }

  @Override
  public Optional<ReplayCache> replayCache() {
    return Optional.of(replays);
  }

  /** Notifications sent, in this process's memory: forgotten on restart. */
  @Override
  public Optional<SentLog> sentLog() {
    return Optional.of(sentLog);
  }

  @Override
  public String toString() {
    return "InMemoryStore";
  }

  private final class Checkpoints implements CheckpointStore {
    private final Map<String, StoredCheckpoint> byPipeline = new ConcurrentHashMap<>();

    @Override
    public Optional<StoredCheckpoint> position(String pipeline) {
      return Optional.ofNullable(byPipeline.get(pipeline));
    }

    @Override
    public Optional<StoredCheckpoint> commit(
        String pipeline, Checkpoint checkpoint, StoredCheckpoint expected, RunRecord progress) {
      Objects.requireNonNull(checkpoint, "checkpoint");
      Objects.requireNonNull(progress, "progress");
      synchronized (runs) {
        StoredCheckpoint current = byPipeline.get(pipeline);
        if (!StoredCheckpoint.samePosition(current, expected)) {
          return Optional.empty();
        }
        StoredCheckpoint next = StoredCheckpoint.after(current, checkpoint, progress.id());
        byPipeline.put(pipeline, next);
        runs.save(progress);
        return Optional.of(next);
      }
    }

    @Override
    public void reset(String pipeline) {
      synchronized (runs) {
        byPipeline.remove(pipeline);
      }
    }
  }

  private static final class Runs implements RunStore {
    private final Map<String, RunRecord> byId = new ConcurrentHashMap<>();
    private final Map<String, Instant> heartbeats = new ConcurrentHashMap<>();

    @Override
    public synchronized void save(RunRecord run) {
      byId.put(run.id(), run);
    }

    @Override
    public Optional<RunRecord> find(String runId) {
      return Optional.ofNullable(byId.get(runId));
    }

    @Override
    public synchronized List<RunRecord> list(String pipeline, int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1, got " + limit);
      }
      return byId.values().stream()
          .filter(r -> pipeline == null || pipeline.equals(r.pipeline()))
          .sorted(
              Comparator.comparing(RunRecord::startedAt).reversed().thenComparing(RunRecord::id))
          .limit(limit)
          .toList();
    }

    @Override
    public synchronized boolean replace(RunRecord run, RunStatus expectedStatus, String expectedOwner) {
      RunRecord current = byId.get(run.id());
      if (current == null || current.status() != expectedStatus || !Objects.equals(current.owner(), expectedOwner)) {
        return false;
      }
      byId.put(run.id(), run);
      return true;
    }

    @Override
    public void heartbeat(String node, Instant at) {
      heartbeats.put(Objects.requireNonNull(node, "node"), Objects.requireNonNull(at, "at"));
    }

    @Override
    public void removeNode(String node) {
      heartbeats.remove(node);
    }

    @Override
    public int removeNodesSilentSince(Instant before) {
      int removed = 0;
      for (Map.Entry<String, Instant> e : heartbeats.entrySet()) {
        if (e.getValue().isBefore(before) && heartbeats.remove(e.getKey(), e.getValue())) {
          removed++;
        }
      }
      return removed;
    }

    @Override
    public synchronized List<RunRecord> orphans(Instant aliveSince) {
      return byId.values().stream()
          .filter(r -> r.owner() == null
              ? r.status() == RunStatus.RUNNING
              : (r.status() == RunStatus.RUNNING || r.status() == RunStatus.QUEUED) && !alive(r.owner(), aliveSince))
          .sorted(Comparator.comparing(RunRecord::startedAt).thenComparing(RunRecord::id))
          .toList();
    }

    private boolean alive(String node, Instant since) {
      Instant last = heartbeats.get(node);
      return last != null && !last.isBefore(since);
    }
  }

  private static final class DeadLetters implements DeadLetterStore {
    private final ConcurrentSkipListMap<Long, DeadLetter> byId = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public DeadLetter add(DeadLetter deadLetter) {
      DeadLetter stored = deadLetter.withId(ids.incrementAndGet());
      byId.put(stored.id(), stored);
      return stored;
    }

    @Override
    public Optional<DeadLetter> find(long id) {
      return Optional.ofNullable(byId.get(id));
    }

    @Override
    public List<DeadLetter> list(DeadLetterQuery query) {
      return byId.tailMap(query.afterId(), false).values().stream()
          .filter(query::matches)
          .limit(query.limit())
          .toList();
    }

    @Override
    public long count(DeadLetterQuery query) {
      return byId.values().stream().filter(query::matches).count();
    }

    @Override
    public Optional<DeadLetter> update(DeadLetter deadLetter) {
      return Optional.ofNullable(byId.computeIfPresent(deadLetter.id(), (id, old) -> deadLetter));
    }

    @Override
    public boolean delete(long id) {
      return byId.remove(id) != null;
    }

    @Override
    public long purge(DeadLetterQuery query) {
      long removed = 0;
      for (DeadLetter d : byId.values()) {
        if (query.matches(d) && byId.remove(d.id()) != null) {
          removed++;
        }
      }
      return removed;
    }
  }

  private static final class Users implements UserStore {
    private final Map<String, UserAccount> users = new TreeMap<>();
    private final Map<String, ApiKey> keys = new TreeMap<>();

    @Override
    public synchronized void save(UserAccount user) {
      users.put(user.username(), user);
    }

    @Override
    public synchronized Optional<UserAccount> find(String username) {
      return Optional.ofNullable(users.get(username));
    }

    @Override
    public synchronized List<UserAccount> list() {
      return List.copyOf(users.values());
    }

    @Override
    public synchronized boolean delete(String username) {
      keys.values().removeIf(k -> k.owner().equals(username));
      return users.remove(username) != null;
    }

    @Override
    public synchronized void saveApiKey(ApiKey key) {
      keys.put(key.id(), key);
    }

    @Override
    public synchronized Optional<ApiKey> findApiKeyByHash(String keyHash) {
      return keys.values().stream().filter(k -> k.keyHash().equals(keyHash)).findFirst();
    }

    @Override
    public synchronized List<ApiKey> listApiKeys(String owner) {
      return keys.values().stream()
          .filter(k -> owner == null || k.owner().equals(owner))
          .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id))
          .toList();
    }
  }

  private static final class Secrets implements SecretStore {
    private final Map<String, byte[]> values = new TreeMap<>();
    private SecretKeyRecord key;

    @Override
    public synchronized Optional<SecretKeyRecord> keyRecord() {
      return Optional.ofNullable(key);
    }

    @Override
    public synchronized void put(String keyId, String name, byte[] ciphertext) {
      Objects.requireNonNull(name, "name");
      if (key == null || !key.id().equals(keyId)) {
        throw new StaleSecretKeyException("secret '" + name + "' was encrypted under key '" + keyId
            + "', but the key in force is " + (key == null ? "none" : "'" + key.id() + "'") + "; nothing was stored");
      }
      values.put(name, ciphertext.clone());
    }

    @Override
    public synchronized Optional<byte[]> get(String name) {
      byte[] v = values.get(name);
      return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    @Override
    public synchronized List<String> names() {
      return new ArrayList<>(values.keySet());
    }

    @Override
    public synchronized boolean delete(String name) {
      return values.remove(name) != null;
    }

    @Override
    public synchronized void replaceKey(String expectedKeyId, SecretKeyRecord next, Map<String, byte[]> ciphertexts) {
      Objects.requireNonNull(next, "next");
      String current = key == null ? null : key.id();
      if (!Objects.equals(current, expectedKeyId)) {
        throw new StaleSecretKeyException("the secret key in force is " + (current == null ? "none" : "'" + current + "'")
            + ", not " + (expectedKeyId == null ? "none" : "'" + expectedKeyId + "'") + " as expected; nothing was changed");
      }
      List<String> missing = values.keySet().stream().filter(n -> !ciphertexts.containsKey(n)).toList();
      if (!missing.isEmpty()) {
        throw new StaleSecretKeyException("secrets " + missing + " were not re-encrypted (stored meanwhile?);"
            + " nothing was changed");
      }
      values.replaceAll((name, old) -> ciphertexts.get(name).clone());
      key = next;
    }
  }

  private final class Pipelines implements PipelineStore {
    private final Map<ConfigDocument.Kind, Map<String, ConfigDocument>> docs = new TreeMap<>();

    @Override
    public synchronized ConfigDocument put(
        ConfigDocument.Kind kind, String name, ObjectNode spec, long expectedVersion) {
      Map<String, ConfigDocument> ofKind = docs.computeIfAbsent(kind, k -> new TreeMap<>());
      ConfigDocument current = ofKind.get(name);
      long actual = current == null ? 0 : current.version();
      if (actual != expectedVersion) {
        throw new StaleVersionException(kind, name, expectedVersion, actual);
      }
      ConfigDocument next = new ConfigDocument(kind, name, spec, actual + 1, clock.instant());
      ofKind.put(name, next);
      return next;
    }

    @Override
    public synchronized Optional<ConfigDocument> get(ConfigDocument.Kind kind, String name) {
      return Optional.ofNullable(docs.getOrDefault(kind, Map.of()).get(name));
    }

    @Override
    public synchronized List<ConfigDocument> list(ConfigDocument.Kind kind) {
      return List.copyOf(docs.getOrDefault(kind, Map.of()).values());
    }

    @Override
    public synchronized boolean delete(ConfigDocument.Kind kind, String name) {
      return docs.getOrDefault(kind, new TreeMap<>()).remove(name) != null;
    }
  }
}
