package dev.sluice.destinations.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.connectors.file.FileFormat;
import dev.sluice.internal.CsvValues;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.record.RecordCodec;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.spi.RunInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records to a JSON Lines or CSV file, one file per run, published atomically.
 *
 * <p>During a run, batches are appended to a hidden in-progress file next to the target ({@code
 * .<name>.<run id>.inprogress}) and flushed to disk before the batch is acknowledged. When the run
 * ends the in-progress file is published: renamed over the target ({@code overwrite}, atomic) or
 * appended to it ({@code append}). Readers never see a half-written target. If the process dies
 * mid-run, the in-progress file stays and is published the next time the destination starts, so
 * acknowledged records are never lost.
 *
 * <p>The path may contain {@code {pipeline}}, {@code {run}}, {@code {date}} (UTC, yyyy-MM-dd) and
 * {@code {time}} (UTC, HHmmss) placeholders, resolved when a run first delivers; a run that
 * delivers nothing leaves the target untouched.
 *
 * <p>Thread-safe: runs write to their own in-progress files; appends to a shared target are
 * serialized.
 */
public final class FileDestination implements Destination {
  private static final Logger LOG = LoggerFactory.getLogger(FileDestination.class);
  private static final String IN_PROGRESS = ".inprogress";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss").withZone(ZoneOffset.UTC);

  /** How a finished run's file reaches the target. */
  public enum Mode {
    /** Replace the target atomically. */
    OVERWRITE,
    /** Append to the target (CSV: the header is written once). */
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
  private final Clock clock;
  private final Map<String, RunFile> runs = new ConcurrentHashMap<>();
  private final Map<Path, Object> targetLocks = new ConcurrentHashMap<>();

  /**
   * @param columns CSV columns; empty to take the first record's top-level fields
   * @param includeMetadata JSON Lines: write key, source and time around the data
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
    this.clock = Objects.requireNonNull(clock);
  }

  /**
   * Publishes in-progress files a crashed process left behind in the target's directory (when the
   * directory has no placeholders). Called once on start.
   *
   * @return how many files were recovered
   */
  public int recoverInterruptedRuns() throws IOException {
    Path template = Path.of(pathTemplate);
    Path dir = template.toAbsolutePath().getParent();
    if (dir == null || dir.toString().contains("{") || !Files.isDirectory(dir)) {
      return 0;
    }
    String targetPattern = template.getFileName().toString();
    int recovered = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".*" + IN_PROGRESS)) {
      for (Path file : files) {
        String n = file.getFileName().toString();
        String inner = n.substring(1, n.length() - IN_PROGRESS.length());
        int dot = inner.lastIndexOf('.');
        if (dot <= 0) {
          continue;
        }
        String targetName = inner.substring(0, dot);
        if (!matchesTemplate(targetPattern, targetName)) {
          continue; // another destination's file
        }
        LOG.warn("destination '{}': publishing {} left behind by an interrupted run", name, file);
        publish(file, dir.resolve(targetName));
        recovered++;
      }
    }
    return recovered;
  }

  @Override
  public DeliveryResult deliver(Batch batch) throws Exception {
    if (batch.isEmpty()) {
      return DeliveryResult.success();
    }
    RunFile file = runs.computeIfAbsent(batch.runId(), id -> new RunFile(resolve(batch.pipeline(), id), id));
    try {
      file.append(batch.records());
    } catch (IOException e) {
      throw DeliveryException.retryable("destination '" + name + "': writing " + file.inProgress + " failed: " + e, e);
    }
    return DeliveryResult.success();
  }

  @Override
  public void finishRun(RunInfo run, boolean succeeded) throws IOException {
    RunFile file = runs.remove(run.runId());
    if (file == null) {
      return; // nothing delivered: leave the target as it is
    }
    if (file.close()) {
      // Published even when the run failed: its records were acknowledged and may be checkpointed.
      publish(file.inProgress, file.target);
    }
  }

  @Override
  public void close() {
    for (RunFile file : runs.values()) {
      try {
        file.close(); // left in progress: published on the next start
      } catch (IOException e) {
        LOG.warn("destination '{}': closing {} failed", name, file.inProgress, e);
      }
    }
    runs.clear();
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

  private static boolean matchesTemplate(String template, String fileName) {
    if (!template.contains("{")) {
      return template.equals(fileName);
    }
    String regex = Pattern.quote(template)
        .replace("{pipeline}", "\\E.+\\Q").replace("{run}", "\\E.+\\Q")
        .replace("{date}", "\\E.+\\Q").replace("{time}", "\\E.+\\Q");
    return fileName.matches(regex);
  }

  private void publish(Path inProgress, Path target) throws IOException {
    synchronized (targetLocks.computeIfAbsent(target, t -> new Object())) {
      if (mode == Mode.OVERWRITE || !Files.exists(target) || Files.size(target) == 0) {
        try {
          Files.move(inProgress, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(inProgress, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return;
      }
      try (InputStream in = Files.newInputStream(inProgress);
          FileChannel out = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        if (format == FileFormat.CSV) {
          skipLine(in); // the target already has the header
        }
        OutputStream os = Channels.newOutputStream(out);
        in.transferTo(os);
        os.flush();
        out.force(true);
      }
      Files.delete(inProgress);
    }
  }

  private static void skipLine(InputStream in) throws IOException {
    int b;
    while ((b = in.read()) != -1 && b != '\n') {
      // skip
    }
  }

  /** The in-progress file of one run. */
  private final class RunFile {
    final Path target;
    final Path inProgress;
    private FileChannel channel;
    private ObjectWriter csvWriter;
    private List<String> csvColumns;

    RunFile(Path target, String runId) {
      this.target = target;
      // The run id has no dots (UUIDs), which is how recovery splits it from the target's name.
      this.inProgress = target.resolveSibling(
          "." + target.getFileName() + "." + runId.replace('.', '_') + IN_PROGRESS);
    }

    synchronized void append(List<Record> records) throws IOException {
      if (channel == null) {
        Files.createDirectories(target.getParent());
        channel = FileChannel.open(inProgress, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.size() * 256);
      if (format == FileFormat.JSONL) {
        for (Record r : records) {
          mapper.writeValue(bytes, includeMetadata ? RecordCodec.toJson(r) : r.data());
          bytes.write('\n');
        }
      } else {
        if (csvWriter == null) {
          csvColumns = !columns.isEmpty() ? columns : fieldsOf(records.get(0).data());
          CsvSchema.Builder schema = CsvSchema.builder();
          csvColumns.forEach(schema::addColumn);
          csvWriter = new CsvMapper().writerFor(List.class).with(schema.build().withoutHeader());
          bytes.write(csvWriter.writeValueAsBytes(csvColumns));
        }
        for (Record r : records) {
          List<String> row = new ArrayList<>(csvColumns.size());
          for (String c : csvColumns) {
            row.add(CsvValues.format(r.data().get(c)));
          }
          bytes.write(csvWriter.writeValueAsBytes(row));
        }
      }
      ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
      long sizeBefore = channel.size();
      try {
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (sync) {
          channel.force(false);
        }
      } catch (IOException e) {
        // Cut a partly written batch off again: the retry writes it whole.
        channel.truncate(sizeBefore);
        channel.position(sizeBefore);
        throw e;
      }
    }

    /** @return whether anything was written */
    synchronized boolean close() throws IOException {
      if (channel == null) {
        return false;
      }
      channel.force(true);
      channel.close();
      channel = null;
      return true;
    }
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
    return "FileDestination{" + name + ", " + pathTemplate + "}";
  }

}
