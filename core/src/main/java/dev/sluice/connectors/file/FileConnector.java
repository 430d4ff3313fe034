package dev.sluice.connectors.file;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.sluice.internal.CsvValues;
import dev.sluice.record.FieldPath;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads records from one file: JSON Lines, a JSON array, or CSV with a header row, optionally
 * gzip-compressed. Streams the file (memory does not grow with its size).
 *
 * <p>Checkpoints record how many records were consumed and, for uncompressed JSON Lines, the byte
 * offset and line number, so a re-run continues where the last one stopped: JSON Lines seek straight to the offset;
 * other formats skip the records already consumed without keeping them.
 *
 * <p>Input that is not a record (a line that is not a JSON object, a CSV row with more cells than
 * the header, a record without its key field) is handed to {@link Emitter#reject} with the file
 * and line, or fails the run when {@code onMalformed: fail}.
 *
 * <p>Thread-safe: every read opens its own stream.
 */
public final class FileConnector implements Connector, dev.sluice.spi.ConnectionCheck {
  /**
   * Checks that the input is a regular file this process can read; reads nothing of it.
   *
   * @param timeout unused: the check is local
   * @return ok (with the file's size) or failed naming the path
   */
  @Override
  public dev.sluice.spi.ConnectionCheckResult checkConnection(java.time.Duration timeout) {
    java.util.Map<String, String> details = java.util.Map.of("path", path.toString());
    if (!Files.exists(path)) {
      return dev.sluice.spi.ConnectionCheckResult.failed("file connector: " + path + " does not exist", details);
    }
    if (!Files.isRegularFile(path)) {
      return dev.sluice.spi.ConnectionCheckResult.failed("file connector: " + path + " is not a regular file", details);
    }
    if (!Files.isReadable(path)) {
      return dev.sluice.spi.ConnectionCheckResult.failed("file connector: " + path + " is not readable", details);
    }
    return dev.sluice.spi.ConnectionCheckResult.ok("file connector: " + path + " is a readable file", details);
  }

  /** What to do with input that is not a record. */
  public enum OnMalformed {
    /** Hand the input to {@link Emitter#reject}, kept as a dead letter with file and line. */
    DEAD_LETTER,
    /** Fail the run. */
    FAIL
  }

  private final Path path;
  private final FileFormat format;
  private final boolean gzip;
  private final FieldPath keyPath;
  private final int checkpointEvery;
  private final char delimiter;
  private final boolean inferTypes;
  private final OnMalformed onMalformed;
  private final ObjectMapper mapper;
  /** Parses one JSON Lines line; trailing tokens ({@code {"a":1} {"b":2}}) make the line malformed. */
  private final ObjectReader lineReader;
  private final String fileName;
  private final Record prototype;

  /**
   * A connector reading {@code path}.
   *
   * @param path the file to read
   * @param format how the file is written (see {@link FileFormat#fromFileName})
   * @param keyField field holding the record key ({@code id}, {@code $.customer.id}); null to key
   *     records by position ({@code <file name>:<record number>})
   * @param checkpointEvery records between checkpoints, at least 1
   * @param delimiter the CSV cell delimiter, e.g. {@code ','}; ignored for JSON
   * @param inferTypes CSV: integers, exact decimals and booleans become those, empty cells null;
   *     otherwise every cell is text
   * @param onMalformed what to do with input that is not a record
   * @param mapper the JSON mapper to parse with
   * @throws IllegalArgumentException when {@code checkpointEvery} is under 1 or {@code keyField}
   *     is not a valid path
   */
  public FileConnector(
      Path path,
      FileFormat format,
      String keyField,
      int checkpointEvery,
      char delimiter,
      boolean inferTypes,
      OnMalformed onMalformed,
      ObjectMapper mapper) {
    this.path = Objects.requireNonNull(path, "path");
    this.format = Objects.requireNonNull(format, "format");
    this.gzip = FileFormat.isGzip(path.getFileName().toString());
    this.keyPath = keyField == null ? null : FieldPath.parseDotted(keyField);
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("checkpointEvery must be at least 1, got " + checkpointEvery);
    }
    this.checkpointEvery = checkpointEvery;
    this.delimiter = delimiter;
    this.inferTypes = inferTypes;
    this.onMalformed = Objects.requireNonNull(onMalformed, "onMalformed");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.lineReader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.fileName = path.getFileName().toString();
    this.prototype = Record.builder("-", JsonNodeFactory.instance.objectNode()).attribute("file", fileName).build();
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    long skip = 0;
    long offset = -1;
    long line = -1;
    if (from != null) {
      JsonNode state = from.state();
      skip = state.path("records").asLong(0);
      if (state.has("offset") && format == FileFormat.JSONL && !gzip) {
        offset = state.path("offset").asLong();
        line = state.path("line").asLong(-1);
      }
    }
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString(), null, "the file connector's input does not exist");
    }
    Cursor cursor = new Cursor(context, emitter, skip);
    switch (format) {
      case JSONL:
        readJsonLines(cursor, offset, line);
        break;
      case JSON:
        readJsonArray(cursor);
        break;
      default:
        readCsv(cursor);
    }
    cursor.finish();
  }

  /**
   * Splits the input into lines over a byte buffer and parses each line from those bytes: no
   * per-byte calls, no String per line (one is made only for a rejected line's raw text).
   */
  private void readJsonLines(Cursor cursor, long offset, long line) throws Exception {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long position = 0;
      long lineNo = 0;
      if (offset >= 0) {
        if (offset > channel.size()) {
          return; // a checkpoint beyond the end: nothing new
        }
        channel.position(offset);
        position = offset;
        cursor.skip = 0; // the offset already skips them
        // Checkpoints before line numbers were kept counted records: approximate then.
        lineNo = line >= 0 ? line : cursor.consumed;
      }
      InputStream in = Channels.newInputStream(channel);
      if (gzip) {
        in = new GZIPInputStream(in, 1 << 16);
      }
      byte[] buf = new byte[1 << 17];
      int start = 0; // first byte of the current line
      int end = 0; // end of the bytes read so far
      int scan = 0; // where the search for the next newline continues
      boolean eof = false;
      while (!cursor.context.isCancelled()) {
        int nl = indexOfNewline(buf, scan, end);
        if (nl < 0) {
          if (!eof) {
            if (start > 0) { // keep the partial line, drop what was consumed
              System.arraycopy(buf, start, buf, 0, end - start);
              end -= start;
              start = 0;
            } else if (end == buf.length) { // a line longer than the buffer
              buf = Arrays.copyOf(buf, buf.length * 2);
            }
            scan = end;
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
              eof = true;
            } else {
              end += n;
            }
            continue;
          }
          if (start == end) {
            break;
          }
          nl = end; // the last line has no newline
        }
        int next = nl < end ? nl + 1 : end;
        position += next - start;
        lineNo++;
        int from = start;
        int to = nl;
        start = next;
        scan = next;
        while (from < to && buf[from] <= ' ' && buf[from] >= 0) {
          from++;
        }
        while (to > from && buf[to - 1] <= ' ' && buf[to - 1] >= 0) {
          to--;
        }
        if (from == to || cursor.skipOne()) {
          continue;
        }
        long checkpointOffset = gzip ? -1 : position;
        JsonNode node;
        try {
          node = lineReader.readTree(buf, from, to - from);
        } catch (JsonProcessingException e) {
          cursor.reject(new String(buf, from, to - from, StandardCharsets.UTF_8), lineNo, -1,
              "not valid JSON: " + e.getOriginalMessage(), checkpointOffset);
          continue;
        }
        if (!(node instanceof ObjectNode)) {
          cursor.reject(new String(buf, from, to - from, StandardCharsets.UTF_8), lineNo, -1,
              "expected a JSON object, found " + node.getNodeType(), checkpointOffset);
          continue;
        }
        cursor.emit((ObjectNode) node, lineNo, -1, checkpointOffset);
      }
    }
  }

  private static int indexOfNewline(byte[] buf, int from, int to) {
    for (int i = from; i < to; i++) {
      if (buf[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void readJsonArray(Cursor cursor) throws Exception {
    try (InputStream in = open(); JsonParser parser = mapper.getFactory().createParser(in)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException(path + ": expected a JSON array of objects at line "
            + parser.currentLocation().getLineNr());
      }
      long index = 0;
      while (parser.nextToken() != JsonToken.END_ARRAY && !cursor.context.isCancelled()) {
        index++;
        long line = parser.currentLocation().getLineNr();
        if (cursor.skipOne()) {
          parser.skipChildren();
          continue;
        }
        JsonNode node = mapper.readTree(parser);
        if (!(node instanceof ObjectNode)) {
          cursor.reject(String.valueOf(node), line, index, "expected a JSON object, found " + node.getNodeType(), -1);
          continue;
        }
        cursor.emit((ObjectNode) node, line, index, -1);
      }
    }
  }

  private void readCsv(Cursor cursor) throws Exception {
    CsvMapper csv = new CsvMapper();
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter);
    // Token by token, each row straight into its object: no String[] per row and no copies
    // through a deserializer's buffers (those were a tenth of the reader's time in a profile).
    try (InputStream in = open();
        JsonParser rows = csv.reader(schema).createParser(in)) { // without a schema's columns, each row is an array
      List<String> cells = new ArrayList<>();
      long line = rows.currentLocation().getLineNr();
      if (!nextRow(rows, cells)) {
        return; // empty file
      }
      String[] header = new String[cells.size()];
      for (int i = 0; i < header.length; i++) {
        header[i] = cells.get(i).strip();
      }
      // Sized for the header, so that a row's map never grows while it is filled.
      int capacity = (int) (header.length / 0.75f) + 1;
      while (!cursor.context.isCancelled()) {
        line = rows.currentLocation().getLineNr(); // the row's first line, before reading it
        if (!nextRow(rows, cells)) {
          break;
        }
        if (cells.size() == 1 && cells.get(0).isEmpty()) {
          continue; // blank line
        }
        if (cursor.skipOne()) {
          continue;
        }
        if (cells.size() > header.length) {
          cursor.reject(String.join(String.valueOf(delimiter), cells), line, -1,
              "row has " + cells.size() + " cells but the header has " + header.length + " columns", -1);
          continue;
        }
        ObjectNode node = new ObjectNode(JsonNodeFactory.instance, new LinkedHashMap<>(capacity));
        for (int i = 0; i < header.length; i++) {
          node.set(header[i], i < cells.size() ? CsvValues.parse(cells.get(i), inferTypes) : JsonNodeFactory.instance.nullNode());
        }
        cursor.emit(node, line, -1, -1);
      }
    }
  }

  /** Reads the next row's cells into {@code cells}; false at the end of the input. */
  private static boolean nextRow(JsonParser rows, List<String> cells) throws IOException {
    cells.clear();
    JsonToken t = rows.nextToken();
    if (t == null) {
      return false;
    }
    if (t != JsonToken.START_ARRAY) {
      throw new IOException("CSV parser: expected a row at line " + rows.currentLocation().getLineNr() + ", found " + t);
    }
    for (JsonToken cell = rows.nextToken(); cell != JsonToken.END_ARRAY; cell = rows.nextToken()) {
      if (cell == null) {
        throw new IOException("CSV input ended inside a row at line " + rows.currentLocation().getLineNr());
      }
      cells.add(rows.getText());
    }
    return true;
  }

  private InputStream open() throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    return gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
  }

  /** Counts what one read consumed and emits checkpoints. */
  private final class Cursor {
    final ReadContext context;
    final Emitter emitter;
    long skip;
    long consumed;
    long sinceCheckpoint;
    long lastOffset = -1;
    long lastLine;

    Cursor(ReadContext context, Emitter emitter, long skip) {
      this.context = context;
      this.emitter = emitter;
      this.skip = skip;
      this.consumed = skip;
    }

    /** True while records already consumed by an earlier run are being skipped. */
    boolean skipOne() {
      if (skip > 0) {
        skip--;
        return true;
      }
      return false;
    }

    /**
     * @param line the record's (first) line
     * @param element its position in a JSON array, or -1
     * @param offset the byte offset after it, or -1 when the format has none
     */
    void emit(ObjectNode node, long line, long element, long offset) throws Exception {
      String key;
      if (keyPath == null) {
        key = fileName + ":" + (consumed + 1);
      } else {
        key = keyPath.textAt(node);
        if (key == null) {
          reject(node.toString(), line, element, "the key field '" + keyPath
              + "' is missing or not a scalar", offset);
          return;
        }
      }
      // The prototype carries the attributes: one shared map instead of one per record.
      emitter.emit(prototype.withData(node).withKey(key));
      advance(line, offset);
    }

    void reject(String raw, long line, long element, String reason, long offset) throws Exception {
      String location = fileName + ":" + line + (element >= 0 ? " (element " + element + ")" : "");
      if (onMalformed == OnMalformed.FAIL) {
        throw new IOException(location + ": " + reason);
      }
      emitter.reject(raw, location, reason);
      advance(line, offset);
    }

    private void advance(long line, long offset) throws InterruptedException {
      consumed++;
      lastOffset = offset;
      lastLine = line;
      if (++sinceCheckpoint >= checkpointEvery) {
        checkpoint();
      }
    }

    void finish() throws InterruptedException {
      if (sinceCheckpoint > 0 && !context.isCancelled()) {
        checkpoint();
      }
    }

    private void checkpoint() throws InterruptedException {
      ObjectNode state = JsonNodeFactory.instance.objectNode();
      state.put("records", consumed);
      if (lastOffset >= 0) {
        state.put("offset", lastOffset);
        state.put("line", lastLine);
      }
      emitter.checkpoint(Checkpoint.of(state));
      sinceCheckpoint = 0;
    }
  }
}
