package dev.sluice.jdbc.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** JSON held in text columns: specs, run details, records, checkpoints, role lists. Not API. */
public final class JsonColumns {
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  private final ObjectMapper mapper;

  public JsonColumns(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  String write(JsonNode node) {
    try {
      return mapper.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  JsonNode read(String text, String column) {
    try {
      return mapper.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("column " + column + " does not hold valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  ObjectNode readObject(String text, String column) {
    if (text == null) {
      return null;
    }
    JsonNode node = read(text, column);
    if (!node.isObject()) {
      throw new IllegalStateException("column " + column + " holds " + node.getNodeType() + ", not a JSON object");
    }
    return (ObjectNode) node;
  }

  /** Roles as a sorted JSON array, so equal sets are stored as equal text. */
  String writeRoles(Set<String> roles) {
    try {
      return mapper.writeValueAsString(new TreeSet<>(roles));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a list of strings always serializes", e);
    }
  }

  Set<String> readRoles(String text) {
    try {
      return Set.copyOf(mapper.readValue(text, STRINGS));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("column roles does not hold a JSON array of strings: " + e.getOriginalMessage(), e);
    }
  }
}
