package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.function.Function;

/**
 * The values templates see during one read: run parameters, the stream's checkpoint state, the
 * incremental cursor, the partition, the page and (for key templates) the record. Each {@code with}
 * returns a copy.
 *
 * <p>Immutable; the secret lookup is shared and thread-safe.
 */
final class ReadVars implements Template.Vars {
  private final JsonNode params;
  private final JsonNode checkpoint;
  private final String cursor;
  private final Partition partition;
  private final JsonNode page;
  private final JsonNode record;
  private final ZonedDateTime now;
  private final Function<String, String> secrets;

  ReadVars(JsonNode params, ZonedDateTime now, Function<String, String> secrets) {
    this(params, null, null, null, null, null, now, secrets);
  }

  private ReadVars(JsonNode params, JsonNode checkpoint, String cursor, Partition partition, JsonNode page,
      JsonNode record, ZonedDateTime now, Function<String, String> secrets) {
    this.params = params == null ? JsonNodeFactory.instance.objectNode() : params;
    this.checkpoint = checkpoint;
    this.cursor = cursor;
    this.partition = partition;
    this.page = page;
    this.record = record;
    this.now = now;
    this.secrets = secrets;
  }

  ReadVars withStream(Partition p, JsonNode checkpointState, String cursorValue) {
    return new ReadVars(params, checkpointState, cursorValue, p, null, null, now, secrets);
  }

  ReadVars withPage(JsonNode pageVars) {
    return new ReadVars(params, checkpoint, cursor, partition, pageVars, record, now, secrets);
  }

  ReadVars withRecord(JsonNode r) {
    return new ReadVars(params, checkpoint, cursor, partition, page, r, now, secrets);
  }

  @Override
  public JsonNode variable(String scope, List<String> path) {
    JsonNode root;
    switch (scope) {
      case "params":
        root = params;
        break;
      case "checkpoint":
        root = checkpoint;
        break;
      case "cursor":
        return cursor == null ? null : JsonNodeFactory.instance.textNode(cursor);
      case "partition":
        if (partition == null) {
          return null;
        }
        root = path.isEmpty() ? partition.value() : partition.fields();
        break;
      case "page":
        root = page;
        break;
      case "record":
        root = record;
        break;
      default:
        return null;
    }
    JsonNode n = root;
    for (String step : path) {
      if (n == null) {
        return null;
      }
      n = n.isArray() && step.chars().allMatch(Character::isDigit) && step.length() < 10
          ? n.get(Integer.parseInt(step)) : n.get(step);
    }
    return n;
  }

  @Override
  public ZonedDateTime now() {
    return now;
  }

  @Override
  public String secret(String name) {
    return secrets.apply(name);
  }

  /**
   * One item a partitioned source reads a stream for.
   *
   * @param key its name in the checkpoint
   * @param value what {@code {partition}} gives
   * @param fields what {@code {partition.x}} looks into (the parent record, or the date slice)
   */
  record Partition(String key, JsonNode value, JsonNode fields) {}
}
