package dev.sluice.destinations.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.destinations.file.PublishJournal.Append;
import dev.sluice.destinations.file.PublishJournal.Fingerprint;
import dev.sluice.internal.ByteSink;
import dev.sluice.internal.CsvValues;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to JSON Lines or CSV files, publishing each batch atomically and exactly once.
 *
 * <p><b>{@code append}</b>: every batch is appended to the target before it is acknowledged (bytes
 * written, file forced to disk, then a journal entry forced to disk). A batch that cannot be written
 * is cut off again and fails as retryable, so no checkpoint passes it.
 *
 * <p><b>{@code overwrite}</b>: a run's batches are appended to a hidden in-progress file next to
 * the target ({@code .<name>.<run id>.inprogress}), journaled the same way; when the run succeeds the
 * file is renamed over the target (atomic). A run that fails, is cancelled or dies leaves its file to
 * the next run of the same pipeline, which continues it, so the published file holds every record
 * since the last successful run once.
 *
 * <p><b>The journal</b> ({@code .<destination>.sluice-journal} in the first directory of the path
 * without placeholders) records, per batch, the file, its length before and after, a checksum of
 * the bytes and each record's key and content checksum, and how runs ended. On start (and before
 * the first delivery) it is replayed: a batch whose bytes are not all there (the process died while
 * appending) is cut off, so readers never see a half line after recovery; and the records that runs
 * which did not succeed had written are remembered (up to {@value #REMEMBERED_RECORDS} per
 * pipeline), so that when the next run reads them again (its checkpoint is older than what was
 * written) they are acknowledged without being written twice. Placeholders in the path do not
 * matter: the journal names every file it touched.
 *
 * <p>The path may contain {@code {pipeline}}, {@code {run}}, {@code {date}} (UTC, yyyy-MM-dd) and
 * {@code {time}} (UTC, HHmmss) placeholders, resolved when a run first delivers; a run that
 * delivers nothing leaves the target untouched. One destination (one process) per target file.
 *
 * <p>Thread-safe: file and journal I/O is serialized per destination; JSON encoding runs outside
 * the lock.
 */
public final class FileDestination implements Destination, dev.sluice.spi.ConnectionCheck {
  /** How many records of unsuccessful runs each pipeline remembers for de-duplication. */
  public static final int REMEMBERED_RECORDS = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger(FileDestination.class);
  private static final String IN_PROGRESS = ".inprogress";
  /** The journal's stand-in run for remembered records carried over by a compaction. */
  private static final String REMEMBERED = "~remembered";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);

  /** How a run's records reach the target. */
  public enum Mode {
    /** Replace the target atomically when a run succeeds. */
    OVERWRITE,
    /** Append each batch to the target (CSV: the header is written once). */
    APPEND
  }

  private final String name;
  private final String pathTemplate;
  private final FileFormat format;
  private final Mode mode;
  private final List<String> columns;
  private final boolean sync;
  private final boolean includeMetadata;
  private final ObjectMapper mapper;
  private final JsonFactory lineFactory;
  private final Clock clock;
  private final PublishJournal journal;

  // Everything below is guarded by `lock`.
  private final Object lock = new Object();
  private boolean recovered;
  private final Map<String, RunFile> runs = new HashMap<>();
  private final Map<Path, OpenFile> files = new HashMap<>();
  private final Map<String, Remembered> remembered = new HashMap<>();
  private final Map<String, ArrayDeque<Pending>> pending = new HashMap<>();

  /**
   * A destination writing to {@code pathTemplate}; the journal is read on first use.
   *
   * @param name the destination's name; names the journal
   * @param pathTemplate the target file, with optional placeholders (see the class comment)
   * @param format {@link FileFormat#JSONL} or {@link FileFormat#CSV}
   * @param mode how a run's records reach the target
   * @param columns CSV columns; empty to take the existing target's header or the first record's
   *     top-level fields
   * @param sync force every batch (file and journal) to disk before acknowledging it
   * @param includeMetadata JSON Lines: write key, source and time around the data
   * @param mapper the JSON mapper to write with
   * @param clock resolves the {@code {date}} and {@code {time}} placeholders
   * @throws IllegalArgumentException when {@code format} is neither JSON Lines nor CSV
   */
  public FileDestination(
      String name,
      String pathTemplate,
      FileFormat format,
      Mode mode,
      List<String> columns,
      boolean sync,
      boolean includeMetadata,
      ObjectMapper mapper,
      Clock clock) {
    this.name = Objects.requireNonNull(name);
    this.pathTemplate = Objects.requireNonNull(pathTemplate);
    if (format != FileFormat.JSONL && format != FileFormat.CSV) {
      throw new IllegalArgumentException("the file destination writes jsonl or csv, not " + format);
    }
    this.format = format;
    this.mode = Objects.requireNonNull(mode);
    this.columns = List.copyOf(columns);
    this.sync = sync;
    this.includeMetadata = includeMetadata;
    this.mapper = Objects.requireNonNull(mapper);
    this.lineFactory = mapper.getFactory().copy().setRootValueSeparator(null);
    this.clock = Objects.requireNonNull(clock);
    this.journal = new PublishJournal(
        baseDirectory(pathTemplate).resolve("." + name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".sluice-journal"), sync);
  }

  /**
   * Checks that the target's directory (the first one without placeholders) is a directory this
   * process can write in: creates an empty temporary file there and deletes it. A directory that
   * does not exist yet passes when its nearest existing parent is a writable directory, since the
   * first delivery creates it; nothing is created then.
   *
   * @param timeout unused: the check is local
   * @return ok, or failed naming the directory and the reason
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) {
    Path dir = baseDirectory(pathTemplate);
    Map<String, String> details = Map.of("directory", dir.toString());
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      return dev.sluice.spi.ConnectionCheckResult.failed("file destination '" + name + "': " + existing
          + " is not a directory, so " + dir + " can't hold the files", details);
    }
    if (!existing.equals(dir)) {
      if (!Files.isWritable(existing)) {
        return dev.sluice.spi.ConnectionCheckResult.failed("file destination '" + name + "': " + dir
            + " does not exist and its parent " + existing + " is not writable", details);
      }
      return dev.sluice.spi.ConnectionCheckResult.ok("file destination '" + name + "': " + dir
          + " does not exist yet; the first delivery creates it in the writable " + existing, details);
    }
    try {
      Path probe = Files.createTempFile(dir, ".sluice-check-", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      return dev.sluice.spi.ConnectionCheckResult.failed("file destination '" + name + "': can't write in "
          + dir + ": " + e, details);
    }
    return dev.sluice.spi.ConnectionCheckResult.ok("file destination '" + name + "': " + dir + " is writable", details);
  }

  /** Where the journal lives: the first directory of the path template without placeholders. */
  static Path baseDirectory(String template) {
    Path dir = Path.of(template).toAbsolutePath().getParent();
    while (dir.toString().contains("{")) {
      dir = dir.getParent();
    }
    return dir;
  }

  /**
   * Replays the journal (once): cuts off batches a crashed process left half written, remembers
   * the records of runs that did not succeed and keeps their in-progress files for the next run.
   * Deliveries do this themselves when it was not done; call it on start so that files are
   * repaired before anyone reads them.
   *
   * @return how many files were repaired or are waiting for the next run
   * @throws IOException when the journal or a file can't be read or repaired
   */
  public int recoverInterruptedRuns() throws IOException {
    synchronized (lock) {
      return ensureRecovered();
    }
  }

  /** JSON Lines of the data alone are the records' own encoding; CSV and envelopes are not. */
  @Override
  public boolean writesRecordsAsJson() {
    return format == FileFormat.JSONL && !includeMetadata;
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws Exception {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    Encoded encoded = format == FileFormat.JSONL ? encodeJsonLines(batch.records()) : null;
    synchronized (lock) {
      RunFile run = null;
      try {
        ensureRecovered();
        run = run(batch.pipeline(), batch.runId());
        OpenFile file = open(run);
        if (encoded == null) {
          encoded = encodeCsv(batch.records(), file);
        }
        Remembered seen = remembered.get(batch.pipeline());
        if (seen != null) {
          encoded = encoded.without(seen);
        }
        if (encoded.records.isEmpty()) {
          return DeliveryResult.success(); // all of it is in the file already
        }
        append(file, encoded, new Append(batch.pipeline(), batch.runId(), run.file.toString(),
            run.target.toString(), file.committed, file.committed + encoded.length, 0, encoded.records));
      } catch (IOException e) {
        throw DeliveryException.retryable("destination '" + name + "': writing "
            + (run == null ? pathTemplate : run.file) + " failed: " + e, e);
      }
    }
    return DeliveryResult.success();
  }

  @Override
  public void finishRun(RunInfo info, boolean succeeded) throws IOException {
    synchronized (lock) {
      ensureRecovered();
      RunFile run = runs.remove(info.runId());
      try {
        if (mode == Mode.APPEND) {
          if (run != null) {
            journal.finish(run.runId, succeeded);
            if (!succeeded) {
              rememberRun(run.pipeline, run.runId);
            }
          }
        } else {
          finishOverwrite(info, run, succeeded);
        }
      } finally {
        if (runs.isEmpty()) {
          compact();
        }
      }
    }
  }

  private void finishOverwrite(RunInfo info, RunFile run, boolean succeeded) throws IOException {
    if (run == null) {
      Pending waiting = succeeded ? nextPending(info.pipeline()) : null;
      if (waiting == null) {
        return; // nothing delivered: leave the target as it is
      }
      run = new RunFile(info.pipeline(), info.runId(), waiting.target, waiting.file, waiting.runIds);
    }
    if (!succeeded) {
      closeFile(run.file);
      journal.finish(run.runId, false);
      pending.computeIfAbsent(run.pipeline, p -> new ArrayDeque<>()).add(new Pending(run.file, run.target, run.runIds));
      rememberRun(run.pipeline, run.runId);
      return;
    }
    try {
      closeFile(run.file);
      if (Files.exists(run.file)) {
        Files.createDirectories(run.target.getParent());
        try {
          Files.move(run.file, run.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(run.file, run.target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (sync) {
          PublishJournal.forceDirectory(run.target.getParent());
        }
      }
      journal.published(run.file.toString());
    } catch (IOException e) {
      // Not published: the next run of the pipeline continues the file and publishes it.
      pending.computeIfAbsent(run.pipeline, p -> new ArrayDeque<>()).add(new Pending(run.file, run.target, run.runIds));
      throw new IOException("destination '" + name + "': publishing " + run.file + " as " + run.target
          + " failed; the next run of pipeline '" + run.pipeline + "' publishes it: " + e, e);
    }
    for (String id : run.runIds) {
      journal.finish(id, true);
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      // Nothing is published here: what runs left in progress is continued after the restart.
      for (OpenFile f : files.values()) {
        f.close();
      }
      files.clear();
      runs.clear();
      journal.close();
    }
  }

  // ---------------------------------------------------------------- runs and files

  /** The file one run appends to: the target, or its in-progress file. */
  private static final class RunFile {
    final String pipeline;
    final String runId;
    final Path target;
    final Path file;
    /** This run and the unfinished runs whose in-progress file it continues. */
    final Set<String> runIds;

    RunFile(String pipeline, String runId, Path target, Path file, Set<String> earlier) {
      this.pipeline = pipeline;
      this.runId = runId;
      this.target = target;
      this.file = file;
      this.runIds = new HashSet<>(earlier);
      this.runIds.add(runId);
    }
  }

  /** An in-progress file of a run that did not succeed, waiting for the next run of its pipeline. */
  private record Pending(Path file, Path target, Set<String> runIds) {}

  private RunFile run(String pipeline, String runId) {
    RunFile run = runs.get(runId);
    if (run == null) {
      Path target = resolve(pipeline, runId);
      if (mode == Mode.APPEND) {
        run = new RunFile(pipeline, runId, target, target, Set.of());
      } else {
        Pending waiting = nextPending(pipeline);
        run = waiting != null
            ? new RunFile(pipeline, runId, target, waiting.file, waiting.runIds)
            : new RunFile(pipeline, runId, target, target.resolveSibling(
                "." + target.getFileName() + "." + runId.replace('.', '_') + IN_PROGRESS), Set.of());
        if (waiting != null) {
          LOG.info("destination '{}': run {} continues {} left by run(s) {}", name, runId, waiting.file, waiting.runIds);
        }
      }
      runs.put(runId, run);
    }
    return run;
  }

  private Pending nextPending(String pipeline) {
    ArrayDeque<Pending> waiting = pending.get(pipeline);
    return waiting == null ? null : waiting.pollFirst();
  }

  /** A file being appended to, with the length the journal vouches for. */
  private final class OpenFile {
    final Path path;
    long committed;
    FileChannel channel;
    List<String> csvColumns;
    ObjectWriter csvWriter;

    OpenFile(Path path, long committed) {
      this.path = path;
      this.committed = committed;
    }

    FileChannel channel() throws IOException {
      if (channel == null) {
        Files.createDirectories(path.getParent());
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
      }
      return channel;
    }

    void close() throws IOException {
      if (channel != null) {
        try {
          if (sync) {
            channel.force(true);
          }
          channel.close();
        } finally {
          channel = null;
        }
      }
    }
  }

  private OpenFile open(RunFile run) throws IOException {
    OpenFile file = files.get(run.file);
    if (file == null) {
      // New, or complete as it is (repaired on recovery, or written before the journal existed).
      // Journal its length before the first write, so a write torn by a crash is cut off again.
      if (Files.exists(run.file) && !Files.isRegularFile(run.file)) {
        throw new IOException(run.file + " is not a regular file");
      }
      long length = Files.exists(run.file) ? Files.size(run.file) : 0;
      journal.append(new Append(run.pipeline, run.runId, run.file.toString(),
          mode == Mode.APPEND ? "" : run.target.toString(), length, length, 0, List.of()));
      file = new OpenFile(run.file, length);
      files.put(run.file, file);
    }
    return file;
  }

  private void closeFile(Path path) throws IOException {
    OpenFile file = files.remove(path);
    if (file != null) {
      file.close();
    }
  }

  /** Writes one batch at the file's committed length, forces it, journals it; cuts it off on failure. */
  private void append(OpenFile file, Encoded encoded, Append entry) throws IOException {
    FileChannel channel = file.channel();
    long size = channel.size();
    if (size < file.committed) {
      LOG.warn("destination '{}': {} is shorter ({} bytes) than written ({}); was it changed by someone else?"
          + " Appending after what is there", name, file.path, size, file.committed);
      file.committed = size;
    }
    long before = file.committed;
    try {
      if (size > before) {
        channel.truncate(before); // what an earlier failed attempt left behind
      }
      ByteBuffer bytes = ByteBuffer.wrap(encoded.bytes, 0, encoded.length);
      long pos = before;
      while (bytes.hasRemaining()) {
        pos += channel.write(bytes, pos);
      }
      if (sync) {
        channel.force(false);
      }
      journal.append(new Append(entry.pipeline(), entry.runId(), entry.file(),
          mode == Mode.APPEND ? "" : entry.publishTo(), before, pos, crc(encoded.bytes, 0, encoded.length),
          entry.records()));
      file.committed = pos;
    } catch (IOException e) {
      try {
        channel.truncate(before);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private Path resolve(String pipeline, String runId) {
    var now = clock.instant();
    String p = pathTemplate
        .replace("{pipeline}", pipeline)
        .replace("{run}", runId)
        .replace("{date}", DATE.format(now))
        .replace("{time}", TIME.format(now));
    return Path.of(p).toAbsolutePath();
  }

  // ---------------------------------------------------------------- recovery and the journal

  private int ensureRecovered() throws IOException {
    if (recovered) {
      return 0;
    }
    Map<String, Append> lastByFile = new LinkedHashMap<>();
    Map<String, Boolean> finished = new HashMap<>();
    Set<String> published = new HashSet<>();
    journal.read(entry -> {
      if (entry instanceof Append a) {
        if (!a.file().isEmpty()) {
          lastByFile.put(a.file(), new Append(a.pipeline(), a.runId(), a.file(), a.publishTo(), a.before(),
              a.after(), a.bytesCrc(), List.of()));
        }
      } else if (entry instanceof PublishJournal.Finish f) {
        finished.put(f.runId(), f.succeeded());
      } else if (entry instanceof PublishJournal.Published p) {
        published.add(p.file());
      }
    });
    int repaired = 0;
    Set<Append> notApplied = new HashSet<>();
    for (Append last : lastByFile.values()) {
      Path path = Path.of(last.file());
      if (published.contains(last.file())) {
        continue;
      }
      boolean inProgress = !last.publishTo().isEmpty();
      if (!Files.exists(path)) {
        if (!inProgress && last.after() > 0) {
          LOG.warn("destination '{}': {} is gone (moved away?); starting it anew", name, path);
        }
        continue; // an in-progress file that is gone was renamed over its target
      }
      long size = Files.size(path);
      long committed = repair(path, last);
      if (committed != last.after()) {
        notApplied.add(last);
      }
      if (committed != size) {
        repaired++;
      }
      files.put(path, new OpenFile(path, committed));
      if (inProgress && !Boolean.TRUE.equals(finished.get(last.runId()))) {
        Set<String> ids = new HashSet<>();
        ids.add(last.runId());
        pending.computeIfAbsent(last.pipeline(), p -> new ArrayDeque<>())
            .add(new Pending(path, Path.of(last.publishTo()), ids));
        repaired++;
        LOG.warn("destination '{}': run {} of pipeline '{}' did not finish; its {} waits for the next run",
            name, last.runId(), last.pipeline(), path);
      }
    }
    // Second pass: remember what unfinished runs wrote (bounded), except batches cut off above.
    journal.read(entry -> {
      if (entry instanceof Append a && !a.records().isEmpty() && !Boolean.TRUE.equals(finished.get(a.runId()))
          && !isCutOff(a, notApplied)) {
        remembered(a.pipeline()).addAll(a.records());
      }
    });
    recovered = true;
    if (!lastByFile.isEmpty() || !remembered.isEmpty()) {
      compact();
    }
    return repaired;
  }

  private static boolean isCutOff(Append a, Set<Append> notApplied) {
    for (Append n : notApplied) {
      if (n.file().equals(a.file()) && n.runId().equals(a.runId()) && n.before() == a.before() && n.after() == a.after()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks the last batch journaled for a file: when all its bytes are there, anything after it is
   * cut off; when not (the process died before the batch was acknowledged), the file is cut back to
   * where the batch began.
   *
   * @return the file's length now
   */
  private long repair(Path path, Append last) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      long keep;
      if (size >= last.after() && crcOf(channel, last.before(), last.after()) == last.bytesCrc()) {
        keep = last.after();
      } else if (size >= last.before()) {
        keep = last.before();
      } else {
        LOG.warn("destination '{}': {} is shorter ({} bytes) than the journal says ({}); was it changed by"
            + " someone else? Appending after what is there", name, path, size, last.before());
        return size;
      }
      if (size > keep) {
        LOG.warn("destination '{}': cutting {} bytes that a crashed process left at the end of {}", name,
            size - keep, path);
        channel.truncate(keep);
        channel.force(true);
      }
      return keep;
    }
  }

  private static int crcOf(FileChannel channel, long from, long to) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = from;
    while (pos < to) {
      buf.clear();
      buf.limit((int) Math.min(buf.capacity(), to - pos));
      int n = channel.read(buf, pos);
      if (n < 0) {
        return ~0; // shorter than it should be: cannot match (a real CRC of missing bytes is not computable)
      }
      buf.flip();
      crc.update(buf);
      pos += n;
    }
    return (int) crc.getValue();
  }

  /** After a run that did not succeed: what it wrote may be read again by the next run. */
  private void rememberRun(String pipeline, String runId) throws IOException {
    Remembered r = remembered(pipeline);
    journal.read(entry -> {
      if (entry instanceof Append a && a.runId().equals(runId) && a.pipeline().equals(pipeline)) {
        r.addAll(a.records());
      }
    });
    r.reset(); // records other runs matched may come again too: the failed run's checkpoint did not pass them
  }

  private Remembered remembered(String pipeline) {
    return remembered.computeIfAbsent(pipeline, p -> new Remembered());
  }

  /**
   * Rewrites the journal with only what is still needed: each file's length, the in-progress files
   * waiting for a run, and the remembered records of unsuccessful runs. Called when no run is live.
   */
  private void compact() throws IOException {
    List<Append> keep = new ArrayList<>();
    for (Map.Entry<String, Remembered> e : remembered.entrySet()) {
      e.getValue().settle();
      List<Fingerprint> left = e.getValue().all();
      if (!left.isEmpty()) {
        keep.add(new Append(e.getKey(), REMEMBERED, "", "", 0, 0, 0, left));
      }
    }
    pending.forEach((pipeline, queue) -> {
      for (Pending p : queue) {
        long length = files.containsKey(p.file) ? files.get(p.file).committed : sizeOrZero(p.file);
        for (String id : p.runIds) {
          keep.add(new Append(pipeline, id, p.file.toString(), p.target.toString(), length, length, 0, List.of()));
        }
      }
    });
    // No run is live: every file is whole. The next write to one journals its length first.
    for (OpenFile f : files.values()) {
      f.close();
    }
    files.clear();
    if (keep.isEmpty() && !Files.exists(journal.path())) {
      return;
    }
    journal.rewrite(keep);
  }

  private static long sizeOrZero(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Records of one pipeline written by runs that did not succeed: a multiset (the same record may
   * legitimately appear twice), bounded to the newest {@value #REMEMBERED_RECORDS}. A delivery of
   * such a record takes one occurrence and is acknowledged without writing.
   */
  private static final class Remembered {
    private final LinkedHashMap<Fingerprint, Integer> all = new LinkedHashMap<>();
    private int size;
    private Map<Fingerprint, Integer> left = new HashMap<>();

    void addAll(List<Fingerprint> records) {
      for (Fingerprint f : records) {
        all.merge(f, 1, Integer::sum);
        left.merge(f, 1, Integer::sum);
        if (++size > REMEMBERED_RECORDS) {
          Iterator<Map.Entry<Fingerprint, Integer>> oldest = all.entrySet().iterator();
          Map.Entry<Fingerprint, Integer> e = oldest.next();
          if (e.getValue() > 1) {
            e.setValue(e.getValue() - 1);
          } else {
            oldest.remove();
          }
          left.computeIfPresent(e.getKey(), (k, n) -> n > 1 ? n - 1 : null);
          size--;
        }
      }
    }

    /** Takes one occurrence; whether there was one. */
    boolean take(Fingerprint f) {
      Integer n = left.get(f);
      if (n == null) {
        return false;
      }
      if (n > 1) {
        left.put(f, n - 1);
      } else {
        left.remove(f);
      }
      return true;
    }

    /** Every occurrence is available again. */
    void reset() {
      left = new HashMap<>(all);
    }

    /** What was taken is gone for good (the runs that took it succeeded). */
    void settle() {
      all.keySet().retainAll(left.keySet());
      all.replaceAll((f, n) -> left.get(f));
      size = all.values().stream().mapToInt(Integer::intValue).sum();
    }

    List<Fingerprint> all() {
      List<Fingerprint> out = new ArrayList<>(size);
      all.forEach((f, n) -> {
        for (int i = 0; i < n; i++) {
          out.add(f);
        }
      });
      return out;
    }
  }

  // ---------------------------------------------------------------- encoding

  /** A batch as bytes, with where each record ends and its fingerprint. */
  private static final class Encoded {
    final byte[] bytes;
    final int length;
    /** Start of record i's bytes (a CSV header comes before the first). */
    final int[] starts;
    final int[] ends;
    final List<Fingerprint> records;

    Encoded(byte[] bytes, int length, int[] starts, int[] ends, List<Fingerprint> records) {
      this.bytes = bytes;
      this.length = length;
      this.starts = starts;
      this.ends = ends;
      this.records = records;
    }

    /** The batch without the records already written by an earlier run. */
    Encoded without(Remembered seen) {
      boolean[] drop = null;
      for (int i = 0; i < records.size(); i++) {
        if (seen.take(records.get(i))) {
          if (drop == null) {
            drop = new boolean[records.size()];
          }
          drop[i] = true;
        }
      }
      if (drop == null) {
        return this;
      }
      byte[] out = new byte[length];
      int n = starts.length == 0 ? 0 : starts[0]; // a CSV header stays
      System.arraycopy(bytes, 0, out, 0, n);
      List<Fingerprint> kept = new ArrayList<>();
      int[] keptStarts = new int[records.size()];
      int[] keptEnds = new int[records.size()];
      for (int i = 0; i < records.size(); i++) {
        if (!drop[i]) {
          keptStarts[kept.size()] = n;
          System.arraycopy(bytes, starts[i], out, n, ends[i] - starts[i]);
          n += ends[i] - starts[i];
          keptEnds[kept.size()] = n;
          kept.add(records.get(i));
        }
      }
      if (kept.isEmpty()) {
        n = 0; // nothing to write, not even a header
      }
      return new Encoded(out, n, Arrays.copyOf(keptStarts, kept.size()), Arrays.copyOf(keptEnds, kept.size()), kept);
    }
  }

  /**
   * JSON Lines: each record's data as the engine encoded it ({@link Record#writeJsonTo}), or with
   * {@code includeMetadata} the record envelope through one generator per batch.
   */
  private Encoded encodeJsonLines(List<Record> records) throws IOException {
    int n = records.size();
    ByteSink sink = new ByteSink(n * 384);
    int[] starts = new int[n];
    int[] ends = new int[n];
    int[] dataCrcs = includeMetadata ? new int[n] : null;
    if (includeMetadata) {
      try (JsonGenerator gen = lineFactory.createGenerator(sink)) {
        for (int i = 0; i < n; i++) {
          Record r = records.get(i);
          starts[i] = sink.size() + gen.getOutputBuffered();
          mapper.writeTree(gen, RecordCodec.toJson(r));
          byte[] data = mapper.writeValueAsBytes(r.data());
          dataCrcs[i] = crc(data, 0, data.length);
          gen.writeRaw('\n');
          ends[i] = sink.size() + gen.getOutputBuffered();
        }
      }
    } else {
      // The record's own encoding: made on the routing thread ahead of this call (see
      // writesRecordsAsJson) and shared with the other destinations the record went to.
      for (int i = 0; i < n; i++) {
        starts[i] = sink.size();
        records.get(i).writeJsonTo(sink);
        sink.write('\n');
        ends[i] = sink.size();
      }
    }
    List<Fingerprint> fingerprints = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int contentCrc = includeMetadata ? dataCrcs[i] : crc(sink.array(), starts[i], ends[i] - starts[i] - 1);
      fingerprints.add(new Fingerprint(records.get(i).key(), contentCrc));
    }
    return new Encoded(sink.array(), sink.size(), starts, ends, fingerprints);
  }

  /** CSV rows for one file: its columns, and the header when the file is empty. */
  private Encoded encodeCsv(List<Record> records, OpenFile file) throws IOException {
    if (file.csvWriter == null) {
      List<String> header = file.committed > 0 ? headerOf(file.path) : null;
      file.csvColumns = !columns.isEmpty() ? columns : header != null ? header : fieldsOf(records.get(0).data());
      CsvSchema.Builder schema = CsvSchema.builder();
      file.csvColumns.forEach(schema::addColumn);
      file.csvWriter = new CsvMapper().writerFor(List.class).with(schema.build().withoutHeader());
    }
    int n = records.size();
    ByteSink sink = new ByteSink(n * 128);
    if (file.committed == 0) {
      sink.write(file.csvWriter.writeValueAsBytes(file.csvColumns));
    }
    int[] starts = new int[n];
    int[] ends = new int[n];
    List<Fingerprint> fingerprints = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Record r = records.get(i);
      List<String> row = new ArrayList<>(file.csvColumns.size());
      for (String c : file.csvColumns) {
        row.add(CsvValues.format(r.data().get(c)));
      }
      starts[i] = sink.size();
      sink.write(file.csvWriter.writeValueAsBytes(row));
      ends[i] = sink.size();
      fingerprints.add(new Fingerprint(r.key(), crc(sink.array(), starts[i], ends[i] - starts[i])));
    }
    return new Encoded(sink.array(), sink.size(), starts, ends, fingerprints);
  }

  /** The header row of an existing CSV file, or null. */
  private static List<String> headerOf(Path file) throws IOException {
    try (InputStream in = Channels.newInputStream(FileChannel.open(file, StandardOpenOption.READ));
        var rows = new CsvMapper().readerFor(String[].class).with(CsvParser.Feature.WRAP_AS_ARRAY)
            .<String[]>readValues(in)) {
      return rows.hasNextValue() ? List.of(rows.nextValue()) : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static int crc(byte[] bytes, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, off, len);
    return (int) crc.getValue();
  }

  private static List<String> fieldsOf(JsonNode data) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = data.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }

  @Override
  public String toString() {
    return "FileDestination{" + name + ", " + pathTemplate + ", " + mode.name().toLowerCase(java.util.Locale.ROOT) + "}";
  }
}
