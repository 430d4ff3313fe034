package dev.sluice.connectors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.sluice.internal.CsvValues;
import dev.sluice.routing.JsonPathExpression;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds the records in a response body: JSON (with an optional JSONPath to the records), JSON Lines
 * or CSV with a header row, by the {@code Content-Type} or a fixed format.
 *
 * <p>Immutable and thread-safe.
 */
final class RecordSelector {
  enum Format {
    AUTO,
    JSON,
    JSONL,
    CSV
  }

  /** One element found: a record, or something that is not one (kept as a dead letter). */
  record Item(JsonNode node, String raw, String location, String problem) {
    boolean isRecord() {
      return problem == null;
    }
  }

  /**
   * What a page holds.
   *
   * @param document the parsed JSON body, for pagination paths; null for JSON Lines and CSV
   */
  record Page(JsonNode document, List<Item> items) {}

  /** The body is not in the expected format. */
  static final class UnreadableBody extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableBody(String message) {
      super(message);
    }
  }

  private final JsonPathExpression path; // null: the body's root
  private final Format format;
  private final char delimiter;
  private final ObjectMapper mapper;

  RecordSelector(JsonPathExpression path, Format format, char delimiter, ObjectMapper mapper) {
    this.path = path;
    this.format = format;
    this.delimiter = delimiter;
    this.mapper = mapper;
  }

  /** The format of a body: the configured one, else by Content-Type, else JSON. */
  Format formatOf(String contentType) {
    if (format != Format.AUTO) {
      return format;
    }
    String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    if (ct.contains("ndjson") || ct.contains("jsonl") || ct.contains("json-lines") || ct.contains("jsonlines")
        || ct.contains("json-seq")) {
      return Format.JSONL;
    }
    if (ct.contains("csv")) {
      return Format.CSV;
    }
    return Format.JSON;
  }

  /**
   * @param where names the request in locations, e.g. {@code "GET /orders page 2"}
   * @throws UnreadableBody when a JSON body is not JSON
   */
  Page select(byte[] body, String contentType, String where) throws UnreadableBody {
    switch (formatOf(contentType)) {
      case JSONL:
        return new Page(null, jsonLines(body, where));
      case CSV:
        return new Page(null, csv(body, where));
      default:
        return json(body, where);
    }
  }

  private Page json(byte[] body, String where) throws UnreadableBody {
    JsonNode doc;
    try {
      doc = body.length == 0 ? JsonNodeFactory.instance.missingNode() : mapper.readTree(body);
    } catch (IOException e) {
      String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
      throw new UnreadableBody("the body is not JSON (" + message + ")");
    }
    if (doc == null || doc.isMissingNode()) {
      return new Page(JsonNodeFactory.instance.missingNode(), List.of());
    }
    JsonNode found = path == null ? doc : path.evaluate(doc);
    List<Item> items = new ArrayList<>();
    if (found == null || found.isNull() || found.isMissingNode()) {
      return new Page(doc, items);
    }
    if (found.isArray()) {
      // a definite path to an array, the root array, or the matches of a wildcard path
      int i = 0;
      for (JsonNode element : found) {
        i++;
        items.add(item(element, where + " record " + i));
      }
    } else {
      items.add(item(found, where + " record 1"));
    }
    return new Page(doc, items);
  }

  private static Item item(JsonNode node, String location) {
    if (node.isObject()) {
      return new Item(node, null, location, null);
    }
    return new Item(null, node.toString(), location, "expected a JSON object, found " + node.getNodeType());
  }

  private List<Item> jsonLines(byte[] body, String where) {
    List<Item> items = new ArrayList<>();
    String text = new String(body, StandardCharsets.UTF_8);
    int line = 0;
    for (String l : text.split("\n", -1)) {
      line++;
      String s = l.strip();
      if (s.isEmpty()) {
        continue;
      }
      String location = where + " line " + line;
      try {
        JsonNode node = mapper.readTree(s);
        items.add(node.isObject() ? new Item(node, null, location, null)
            : new Item(null, s, location, "expected a JSON object, found " + node.getNodeType()));
      } catch (JsonProcessingException e) {
        items.add(new Item(null, s, location, "not valid JSON: " + e.getOriginalMessage()));
      }
    }
    return items;
  }

  private List<Item> csv(byte[] body, String where) throws UnreadableBody {
    List<Item> items = new ArrayList<>();
    CsvMapper csv = new CsvMapper();
    csv.enable(CsvParser.Feature.WRAP_AS_ARRAY);
    CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter);
    try (MappingIterator<String[]> rows = csv.readerFor(String[].class).with(schema).readValues(body)) {
      if (!rows.hasNextValue()) {
        return items;
      }
      String[] header = rows.nextValue();
      for (int i = 0; i < header.length; i++) {
        header[i] = header[i].strip();
      }
      while (rows.hasNextValue()) {
        long line = rows.getCurrentLocation().getLineNr();
        String[] cells = rows.nextValue();
        if (cells.length == 1 && cells[0].isEmpty()) {
          continue;
        }
        String location = where + " line " + line;
        if (cells.length > header.length) {
          items.add(new Item(null, String.join(String.valueOf(delimiter), cells), location,
              "row has " + cells.length + " cells but the header has " + header.length + " columns"));
          continue;
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < header.length; i++) {
          node.set(header[i], i < cells.length ? CsvValues.parse(cells[i], true) : JsonNodeFactory.instance.nullNode());
        }
        items.add(new Item(node, null, location, null));
      }
    } catch (IOException | RuntimeException e) {
      throw new UnreadableBody("the body is not valid CSV (" + e.getMessage() + ")");
    }
    return items;
  }
}
