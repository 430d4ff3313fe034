package dev.sluice.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The JSON form of a {@link Record} with its metadata, as kept in dead letters and shown by the
 * API: {@code {"key":..., "source":..., "observedAt":..., "attributes":{...}, "data":{...}}}.
 */
public final class RecordCodec {
  private RecordCodec() {}

  /**
   * Writes a record with its metadata.
   *
   * @param record the record
   * @return a new JSON object; a null source or observation time and empty attributes are left out
   */
  public static ObjectNode toJson(Record record) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("key", record.key());
    if (record.source() != null) {
      node.put("source", record.source());
    }
    if (record.observedAt() != null) {
      node.put("observedAt", record.observedAt().toString());
    }
    if (!record.attributes().isEmpty()) {
      ObjectNode attrs = node.putObject("attributes");
      record.attributes().forEach(attrs::put);
    }
    node.set("data", record.data().deepCopy());
    return node;
  }

  /**
   * Reads a record {@link #toJson} wrote.
   *
   * @param json the JSON object
   * @return the record
   * @throws IllegalArgumentException when {@code json} is not of the form {@link #toJson} writes
   */
  public static Record fromJson(JsonNode json) {
    JsonNode key = json.get("key");
    JsonNode data = json.get("data");
    if (key == null || !key.isTextual() || data == null || !data.isObject()) {
      throw new IllegalArgumentException(
          "not a stored record: expected an object with a string 'key' and an object 'data'");
    }
    Record.Builder b = Record.builder(key.asText(), ((ObjectNode) data).deepCopy());
    JsonNode source = json.get("source");
    if (source != null && source.isTextual()) {
      b.source(source.asText());
    }
    JsonNode observed = json.get("observedAt");
    if (observed != null && observed.isTextual()) {
      try {
        b.observedAt(Instant.parse(observed.asText()));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("stored record has a bad observedAt: " + observed, e);
      }
    }
    JsonNode attrs = json.get("attributes");
    if (attrs != null && attrs.isObject()) {
      for (Map.Entry<String, JsonNode> e : attrs.properties()) {
        b.attribute(e.getKey(), e.getValue().asText());
      }
    }
    return b.build();
  }
}
