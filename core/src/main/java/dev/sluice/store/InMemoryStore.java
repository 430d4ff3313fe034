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
  private final AuthState authState = new AuthState();
  private final Roles roles = new Roles();
  private final Audit audit = new Audit();

  /**
   * An empty store on the system clock (UTC).
   */
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
  public Optional<AuthStateStore> authState() {
    return Optional.of(authState);
  }

  @Override
  public Optional<RoleStore> roles() {
    return Optional.of(roles);
  }

  @Override
  public Optional<AuditLog> auditLog() {
    return Optional.of(audit);
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
    public synchronized Optional<ApiKey> findApiKey(String id) {
      return Optional.ofNullable(keys.get(id));
    }

    @Override
    public synchronized void recordApiKeyUse(String id, Instant at) {
      keys.computeIfPresent(id, (k, key) -> key.usedAt(at));
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

  private static final class AuthState implements AuthStateStore {
    private final Map<String, SigningKey> signingKeys = new TreeMap<>();
    private final Map<String, RefreshToken> refreshTokens = new TreeMap<>();
    private final Map<String, LoginFailures> failures = new TreeMap<>();

    @Override
    public synchronized void saveSigningKey(SigningKey key) {
      signingKeys.put(key.kid(), Objects.requireNonNull(key, "key"));
    }

    @Override
    public synchronized List<SigningKey> signingKeys() {
      return signingKeys.values().stream()
          .sorted(Comparator.comparing(SigningKey::createdAt).thenComparing(SigningKey::kid))
          .toList();
    }

    @Override
    public synchronized boolean deleteSigningKey(String kid) {
      return signingKeys.remove(kid) != null;
    }

    @Override
    public synchronized void saveRefreshToken(RefreshToken token) {
      if (refreshTokens.putIfAbsent(token.tokenHash(), token) != null) {
        throw new IllegalStateException("a refresh token with the same hash exists");
      }
    }

    @Override
    public synchronized Optional<RefreshToken> findRefreshToken(String tokenHash) {
      return Optional.ofNullable(refreshTokens.get(tokenHash));
    }

    @Override
    public synchronized boolean markRefreshTokenUsed(String tokenHash, Instant at) {
      RefreshToken t = refreshTokens.get(tokenHash);
      if (t == null || t.usedAt() != null || t.revokedAt() != null) {
        return false;
      }
      refreshTokens.put(tokenHash, new RefreshToken(t.tokenHash(), t.familyId(), t.username(), t.issuedAt(),
          t.expiresAt(), at, null));
      return true;
    }

    @Override
    public synchronized int revokeRefreshTokenFamily(String familyId, Instant at) {
      return revokeWhere(t -> t.familyId().equals(familyId), at);
    }

    @Override
    public synchronized int revokeRefreshTokensOf(String username, Instant at) {
      return revokeWhere(t -> t.username().equals(username), at);
    }

    private int revokeWhere(java.util.function.Predicate<RefreshToken> which, Instant at) {
      int n = 0;
      for (Map.Entry<String, RefreshToken> e : refreshTokens.entrySet()) {
        RefreshToken t = e.getValue();
        if (t.revokedAt() == null && which.test(t)) {
          e.setValue(new RefreshToken(t.tokenHash(), t.familyId(), t.username(), t.issuedAt(), t.expiresAt(),
              t.usedAt(), at));
          n++;
        }
      }
      return n;
    }

    @Override
    public synchronized int purgeRefreshTokens(Instant before) {
      int n = refreshTokens.size();
      refreshTokens.values().removeIf(t -> t.expiresAt().isBefore(before));
      return n - refreshTokens.size();
    }

    @Override
    public synchronized Optional<LoginFailures> loginFailures(String subject) {
      return Optional.ofNullable(failures.get(subject));
    }

    @Override
    public synchronized void saveLoginFailures(LoginFailures f) {
      failures.put(f.subject(), f);
    }

    @Override
    public synchronized boolean clearLoginFailures(String subject) {
      return failures.remove(subject) != null;
    }

    @Override
    public synchronized List<LoginFailures> listLoginFailures() {
      return List.copyOf(failures.values());
    }
  }

  private static final class Roles implements RoleStore {
    private final Map<String, RoleRecord> roles = new TreeMap<>();

    @Override
    public synchronized void saveRole(RoleRecord role) {
      roles.put(role.name(), role);
    }

    @Override
    public synchronized Optional<RoleRecord> findRole(String name) {
      return Optional.ofNullable(roles.get(name));
    }

    @Override
    public synchronized List<RoleRecord> listRoles() {
      return List.copyOf(roles.values());
    }

    @Override
    public synchronized boolean deleteRole(String name) {
      return roles.remove(name) != null;
    }
  }

  private static final class Audit implements AuditLog {
    private final ConcurrentSkipListMap<Long, AuditEvent> events = new ConcurrentSkipListMap<>();
    private final AtomicLong ids = new AtomicLong();

    @Override
    public AuditEvent append(AuditEvent event) {
      AuditEvent stored = event.withId(ids.incrementAndGet());
      events.put(stored.id(), stored);
      return stored;
    }

    @Override
    public List<AuditEvent> list(long beforeId, int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1, got " + limit);
      }
      return events.headMap(beforeId, false).descendingMap().values().stream().limit(limit).toList();
    }

    @Override
    public int purge(Instant before) {
      int n = 0;
      for (AuditEvent e : events.values()) {
        if (e.at().isBefore(before) && events.remove(e.id()) != null) {
          n++;
        }
      }
      return n;
    }
  }
}
