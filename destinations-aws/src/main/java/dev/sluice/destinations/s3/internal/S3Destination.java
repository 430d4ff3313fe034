package dev.sluice.destinations.s3.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdOutputStream;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.DeliveryResult.RecordFailure;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@code s3} destination: each batch becomes one or more objects, stored before {@link
 * #deliver} returns.
 *
 * <p><b>Objects.</b> A batch's records are grouped by the key they render to (the template may
 * hold the record's date and fields) and cut further by {@code maxRecordsPerObject}, {@code
 * maxBytesPerObject} (uncompressed) and {@code rollInterval} (windows of the records' observation
 * time). An object never spans two batches: the engine acknowledges a batch only once it is
 * stored, so the destination's {@code delivery.batchSize} bounds an object's size.
 *
 * <p><b>Idempotence.</b> {@code {part}} is the position, within the run, of the object's first
 * record: the first time a batch arrives it is given the next free range of positions,
 * remembered by a SHA-256 of its records' keys and contents; a retry of the same batch (same run,
 * same records) gets the same positions and so the same keys, and overwrites what an earlier
 * attempt stored instead of adding a duplicate. The memory is dropped in {@link #finishRun}.
 *
 * <p><b>Manifest.</b> With {@code manifest: true}, {@link #finishRun} stores a JSON document
 * listing the run's objects (key, records, bytes, first position and record key).
 *
 * <p>Thread-safe: run state is guarded by a lock; encoding and uploads run outside it, so batches
 * of one run may be stored concurrently.
 */
public final class S3Destination implements Destination, dev.sluice.spi.ConnectionCheck {
  private final String name;
  private final S3Settings settings;
  private final S3Client s3;
  private final List<AutoCloseable> closeables;
  private final ObjectMapper mapper;
  /** One line per record whatever the host's mapper does with indentation. */
  private final com.fasterxml.jackson.databind.ObjectWriter lineWriter;
  private final Clock clock;
  private final Logger log;

  private final io.micrometer.core.instrument.Counter objectsStored;
  private final io.micrometer.core.instrument.Counter bytesStored;
  private final io.micrometer.core.instrument.Counter uploadsAborted;

  private final Object lock = new Object();
  private final Map<String, RunState> runs = new HashMap<>();
  private boolean closed;

  /** What one run has delivered so far. Guarded by {@code lock}. */
  private static final class RunState {
    final String pipeline;
    long nextPosition;
    final Map<ByteBuffer, Assigned> batches = new HashMap<>();
    final Map<String, ObjectNode> objects = new TreeMap<>();

    RunState(String pipeline) {
      this.pipeline = pipeline;
    }
  }

  private record Assigned(long position, Instant firstSeen) {}

  private record Plan(String key, List<Integer> indexes, long position) {}

  public S3Destination(String name, S3Settings settings, S3Client s3, List<AutoCloseable> closeables,
      ObjectMapper mapper, Clock clock, Logger log) {
    this(name, settings, s3, closeables, mapper, clock, log, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  }

  /**
   * @param meters where {@code sluice.s3.objects}, {@code sluice.s3.bytes} (uncompressed) and
   *     {@code sluice.s3.multipart.aborted} are counted, tagged with the destination
   */
  public S3Destination(String name, S3Settings settings, S3Client s3, List<AutoCloseable> closeables,
      ObjectMapper mapper, Clock clock, Logger log, io.micrometer.core.instrument.MeterRegistry meters) {
    this.name = Objects.requireNonNull(name, "name");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.closeables = List.copyOf(closeables);
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.lineWriter = mapper.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.log = Objects.requireNonNull(log, "log");
    this.objectsStored = io.micrometer.core.instrument.Counter.builder("sluice.s3.objects")
        .description("objects stored").tag("destination", name).register(meters);
    this.bytesStored = io.micrometer.core.instrument.Counter.builder("sluice.s3.bytes").baseUnit("bytes")
        .description("bytes stored (uncompressed records)").tag("destination", name).register(meters);
    this.uploadsAborted = io.micrometer.core.instrument.Counter.builder("sluice.s3.multipart.aborted")
        .description("multipart uploads aborted after a failure").tag("destination", name).register(meters);
  }

  public S3Settings settings() {
    return settings;
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws DeliveryException {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    synchronized (lock) {
      if (closed) {
        throw DeliveryException.retryable("destination '" + name + "' is closed");
      }
    }
    List<byte[]> json = new ArrayList<>(batch.size());
    for (Record r : batch) {
      try {
        json.add(lineWriter.writeValueAsBytes(r.data()));
      } catch (JsonProcessingException e) {
        throw DeliveryException.permanent("destination '" + name + "': record " + r.key()
            + " can't be written as JSON: " + e.getOriginalMessage(), e);
      }
    }
    Assigned assigned = assign(batch, json);

    // Group the records by the key they render to, then cut by the rolling limits.
    Map<Integer, RecordFailure> failures = new TreeMap<>();
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      Record r = batch.get(i);
      try {
        String groupKey = renderWith(batch, r, -1, assigned);
        groups.computeIfAbsent(groupKey, k -> new ArrayList<>()).add(i);
      } catch (KeyTemplate.RefusedValueException e) {
        failures.put(i, RecordFailure.permanent("destination '" + name + "': record " + r.key()
            + " can't be stored: " + e.getMessage() + " (key template " + settings.key().text() + ")"));
      } catch (IllegalArgumentException e) {
        throw DeliveryException.permanent("destination '" + name + "': no object key for pipeline '"
            + batch.pipeline() + "', run " + batch.runId() + ": " + e.getMessage());
      }
    }
    List<Plan> plans = new ArrayList<>();
    for (List<Integer> group : groups.values()) {
      List<Integer> current = new ArrayList<>();
      long bytes = 0;
      long window = Long.MIN_VALUE;
      for (int i : group) {
        long w = window(batch.get(i), assigned);
        boolean full = !current.isEmpty() && (
            (settings.maxRecordsPerObject() > 0 && current.size() >= settings.maxRecordsPerObject())
            || (settings.maxBytesPerObject() > 0 && bytes + json.get(i).length + 1 > settings.maxBytesPerObject())
            || w != window);
        if (full) {
          plans.add(plan(batch, current, assigned));
          current = new ArrayList<>();
          bytes = 0;
        }
        current.add(i);
        bytes += json.get(i).length + 1;
        window = w;
      }
      if (!current.isEmpty()) {
        plans.add(plan(batch, current, assigned));
      }
    }

    for (Plan p : plans) {
      ObjectUpload.Stored stored = store(batch, p, json);
      ObjectNode entry = mapper.createObjectNode();
      entry.put("key", stored.key());
      entry.put("records", p.indexes().size());
      entry.put("bytes", stored.bytes());
      entry.put("parts", stored.parts());
      entry.put("firstPosition", p.position());
      entry.put("firstRecordKey", batch.get(p.indexes().get(0)).key());
      entry.put("lastRecordKey", batch.get(p.indexes().get(p.indexes().size() - 1)).key());
      if (stored.etag() != null) {
        entry.put("etag", stored.etag());
      }
      synchronized (lock) {
        RunState run = runs.get(batch.runId());
        if (run != null) {
          run.objects.put(stored.key(), entry);
        }
      }
    }
    return DeliveryResult.partial(failures);
  }

  private Plan plan(Batch batch, List<Integer> indexes, Assigned assigned) throws DeliveryException {
    int first = indexes.get(0);
    long position = assigned.position() + first;
    try {
      return new Plan(renderWith(batch, batch.get(first), position, assigned), List.copyOf(indexes), position);
    } catch (IllegalArgumentException e) {
      throw DeliveryException.permanent("destination '" + name + "': no object key for record "
          + batch.get(first).key() + ": " + e.getMessage());
    }
  }

  private String renderWith(Batch batch, Record r, long position, Assigned assigned) {
    Instant time = r.observedAt() != null ? r.observedAt()
        : assigned != null ? assigned.firstSeen() : Instant.EPOCH;
    return settings.key().render(new KeyTemplate.Values() {
      @Override
      public String pipeline() {
        return batch.pipeline();
      }

      @Override
      public String destination() {
        return name;
      }

      @Override
      public String run() {
        return batch.runId();
      }

      @Override
      public long position() {
        return Math.max(position, 0);
      }

      @Override
      public String ext() {
        return settings.ext();
      }

      @Override
      public Instant time() {
        return time;
      }

      @Override
      public JsonNode record() {
        return r.data();
      }
    });
  }

  private long window(Record r, Assigned assigned) {
    if (settings.rollInterval().isZero()) {
      return 0;
    }
    Instant t = r.observedAt() != null ? r.observedAt() : assigned.firstSeen();
    return Math.floorDiv(t.toEpochMilli(), settings.rollInterval().toMillis());
  }

  /** The batch's first position in its run: the same for a retry of the same records. */
  private Assigned assign(Batch batch, List<byte[]> json) {
    ByteBuffer fingerprint;
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (int i = 0; i < batch.size(); i++) {
        byte[] key = batch.get(i).key().getBytes(StandardCharsets.UTF_8);
        d.update(ByteBuffer.allocate(4).putInt(key.length).array());
        d.update(key);
        d.update(ByteBuffer.allocate(4).putInt(json.get(i).length).array());
        d.update(json.get(i));
      }
      fingerprint = ByteBuffer.wrap(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    synchronized (lock) {
      RunState run = runs.computeIfAbsent(batch.runId(), id -> new RunState(batch.pipeline()));
      Assigned a = run.batches.get(fingerprint);
      if (a == null) {
        a = new Assigned(run.nextPosition, clock.instant());
        run.nextPosition += batch.size();
        run.batches.put(fingerprint, a);
      } else {
        log.debug("destination '{}': batch of {} record(s) of run {} seen before at position {}: same keys",
            name, batch.size(), batch.runId(), a.position());
      }
      return a;
    }
  }

  private ObjectUpload.Stored store(Batch batch, Plan p, List<byte[]> json) throws DeliveryException {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("sluice-pipeline", KeyTemplate.encode(batch.pipeline()));
    metadata.put("sluice-run", KeyTemplate.encode(batch.runId()));
    metadata.put("sluice-records", Integer.toString(p.indexes().size()));
    metadata.put("sluice-first-position", Long.toString(p.position()));
    ObjectUpload upload = new ObjectUpload(s3, settings, p.key(), metadata, log);
    try {
      try (OutputStream out = compressed(upload)) {
        if (settings.format() == S3Settings.Format.JSONL) {
          for (int i : p.indexes()) {
            out.write(json.get(i));
            out.write('\n');
          }
        } else {
          writeCsv(out, batch, p.indexes());
        }
      }
      ObjectUpload.Stored stored = upload.finish();
      objectsStored.increment();
      bytesStored.increment(p.indexes().stream().mapToLong(i -> json.get(i).length + 1L).sum());
      return stored;
    } catch (IOException | RuntimeException e) {
      upload.abort();
      if (upload.isMultipart()) {
        uploadsAborted.increment();
      }
      throw S3Errors.classify(name, upload.isMultipart() ? "multipart upload of" : "PutObject",
          settings.bucket(), p.key(), e);
    }
  }

  /** Compresses into {@code upload}; closing it does not close the upload (finish does). */
  private OutputStream compressed(ObjectUpload upload) throws IOException {
    OutputStream shield = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        upload.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        upload.write(b, off, len);
      }
    };
    return switch (settings.compression()) {
      case GZIP -> new GZIPOutputStream(shield, 64 * 1024);
      case ZSTD -> new ZstdOutputStream(shield, 3);
      case NONE -> new java.io.BufferedOutputStream(shield, 64 * 1024);
    };
  }

  private void writeCsv(OutputStream out, Batch batch, List<Integer> indexes) throws IOException {
    List<String> columns = settings.columns();
    if (columns.isEmpty()) {
      LinkedHashSet<String> seen = new LinkedHashSet<>();
      for (int i : indexes) {
        batch.get(i).data().fieldNames().forEachRemaining(seen::add);
      }
      columns = List.copyOf(seen);
    }
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < columns.size(); c++) {
      if (c > 0) {
        line.append(',');
      }
      line.append(csv(columns.get(c)));
    }
    line.append("\r\n");
    out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    for (int i : indexes) {
      line.setLength(0);
      ObjectNode data = batch.get(i).data();
      for (int c = 0; c < columns.size(); c++) {
        if (c > 0) {
          line.append(',');
        }
        JsonNode v = data.get(columns.get(c));
        if (v == null || v.isNull()) {
          continue;
        }
        line.append(csv(v.isValueNode() ? v.asText() : lineWriter.writeValueAsString(v)));
      }
      line.append("\r\n");
      out.write(line.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** RFC 4180: quoted when it holds a comma, quote, CR or LF, or leading/trailing space. */
  static String csv(String value) {
    boolean quote = value.isEmpty() ? false : value.indexOf(',') >= 0 || value.indexOf('"') >= 0
        || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.charAt(0) == ' '
        || value.charAt(value.length() - 1) == ' ';
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }

  @Override
  public void finishRun(RunInfo info, boolean succeeded) throws DeliveryException {
    RunState run;
    synchronized (lock) {
      run = runs.remove(info.runId());
    }
    if (run == null || !settings.manifest() || run.objects.isEmpty()) {
      return;
    }
    ObjectNode manifest = mapper.createObjectNode();
    manifest.put("pipeline", info.pipeline());
    manifest.put("destination", name);
    manifest.put("run", info.runId());
    manifest.put("startedAt", info.startedAt().toString());
    manifest.put("finishedAt", clock.instant().toString());
    manifest.put("succeeded", succeeded);
    manifest.put("bucket", settings.bucket());
    manifest.put("format", settings.format().name().toLowerCase(java.util.Locale.ROOT));
    manifest.put("compression", settings.compression().name().toLowerCase(java.util.Locale.ROOT));
    ArrayNode objects = manifest.putArray("objects");
    run.objects.values().stream()
        .sorted(java.util.Comparator.comparingLong((ObjectNode o) -> o.get("firstPosition").asLong())
            .thenComparing(o -> o.get("key").asText()))
        .forEach(objects::add);
    manifest.put("records", run.objects.values().stream().mapToLong(o -> o.get("records").asLong()).sum());
    String key;
    try {
      key = settings.manifestKey().render(new KeyTemplate.Values() {
        @Override
        public String pipeline() {
          return info.pipeline();
        }

        @Override
        public String destination() {
          return name;
        }

        @Override
        public String run() {
          return info.runId();
        }

        @Override
        public long position() {
          return 0;
        }

        @Override
        public String ext() {
          return "json";
        }

        @Override
        public Instant time() {
          return info.startedAt();
        }

        @Override
        public JsonNode record() {
          return null;
        }
      });
    } catch (IllegalArgumentException e) {
      throw DeliveryException.permanent("destination '" + name + "': no manifest key for run " + info.runId()
          + ": " + e.getMessage());
    }
    try {
      byte[] body = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
      s3.putObject(b -> {
        b.bucket(settings.bucket()).key(key).contentType("application/json").contentLength((long) body.length);
        switch (settings.sse()) {
          case S3 -> b.serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AES256);
          case KMS -> {
            b.serverSideEncryption(software.amazon.awssdk.services.s3.model.ServerSideEncryption.AWS_KMS);
            settings.kmsKeyId().ifPresent(b::ssekmsKeyId);
          }
          default -> { }
        }
        if (settings.checksum() == S3Settings.Checksum.MD5) {
          try {
            b.contentMD5(java.util.Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body)));
          } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
          }
        }
      }, RequestBody.fromBytes(body));
      log.info("destination '{}': run {} stored {} object(s), manifest s3://{}/{}", name, info.runId(),
          objects.size(), settings.bucket(), key);
    } catch (IOException | RuntimeException e) {
      throw S3Errors.classify(name, "PutObject (manifest)", settings.bucket(), key, e);
    }
  }

  /**
   * {@code HeadBucket}: proves that the endpoint answers, the credentials are accepted and the
   * bucket exists and is visible to them, without reading or writing an object. Bounded by {@code
   * timeout} through the SDK's API call timeout.
   *
   * @param timeout the API call timeout
   * @return ok, or failed with S3's error code and the bucket
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) throws InterruptedException {
    Map<String, String> details = new LinkedHashMap<>();
    details.put("bucket", settings.bucket());
    details.put("endpoint", settings.endpoint().map(java.net.URI::toString).orElse("aws"));
    settings.region().ifPresent(r -> details.put("region", r));
    try {
      s3.headBucket(b -> b.bucket(settings.bucket())
          .overrideConfiguration(o -> o.apiCallTimeout(timeout)));
      return dev.sluice.spi.ConnectionCheckResult.ok("s3 destination '" + name + "': bucket " + settings.bucket()
          + " at " + details.get("endpoint") + " is reachable with the configured credentials", details);
    } catch (RuntimeException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted during HeadBucket on " + settings.bucket());
      }
      String message = S3Errors.classify(name, "HeadBucket", settings.bucket(), null, e).getMessage();
      if (e instanceof software.amazon.awssdk.services.s3.model.S3Exception s3e && s3e.statusCode() == 404) {
        message += "; the bucket does not exist";
      } else if (e instanceof software.amazon.awssdk.services.s3.model.S3Exception s3e && s3e.statusCode() == 403) {
        message += "; the credentials were refused or may not see the bucket";
      }
      return dev.sluice.spi.ConnectionCheckResult.failed("s3 " + message + " (endpoint " + details.get("endpoint") + ")",
          details);
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      runs.clear();
    }
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("destination '{}': closing {} failed: {}", name, c.getClass().getSimpleName(), e.toString());
      }
    }
    s3.close();
  }

  @Override
  public String toString() {
    return "S3Destination{" + name + ", " + settings + "}";
  }
}
