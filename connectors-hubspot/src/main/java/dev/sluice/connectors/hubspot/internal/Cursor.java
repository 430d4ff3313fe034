package dev.sluice.connectors.hubspot.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * Where an incremental read stands, in the total order (last-modified time, object id): every
 * record before it was emitted.
 *
 * <ul>
 *   <li>{@code inclusive}: records with time {@code >= millis} are still to come (a first read from
 *       {@code startDate}, or a read moved back by the lookback margin);
 *   <li>{@code lastId == null}: every record with time {@code <= millis} was emitted;
 *   <li>otherwise: every record with time {@code < millis}, and those with time {@code == millis}
 *       and id {@code <= lastId}, were emitted.
 * </ul>
 *
 * @param millis the last-modified time, epoch milliseconds
 * @param lastId the last id emitted at {@code millis}, or null
 * @param inclusive whether records at {@code millis} itself are all still to come
 */
record Cursor(long millis, String lastId, boolean inclusive) {
  static final int VERSION = 1;

  static Cursor startingAt(long millis) {
    return new Cursor(millis, null, true);
  }

  static Cursor after(long millis) {
    return new Cursor(millis, null, false);
  }

  static Cursor afterId(long millis, String id) {
    return new Cursor(millis, id, false);
  }

  JsonNode toState(String object, String property) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("v", VERSION);
    n.put("mode", "incremental");
    n.put("object", object);
    n.put("property", property);
    n.put("modifiedAt", Instant.ofEpochMilli(millis).toString());
    n.put("modifiedAtMillis", millis);
    if (lastId != null) {
      n.put("lastId", lastId);
    }
    if (inclusive) {
      n.put("inclusive", true);
    }
    return n;
  }

  /** The cursor in {@code state}, whose shape the caller checked. */
  static Cursor fromState(JsonNode state) {
    long millis = state.path("modifiedAtMillis").asLong();
    String lastId = state.hasNonNull("lastId") ? state.get("lastId").asText() : null;
    return new Cursor(millis, lastId, state.path("inclusive").asBoolean(false));
  }
}
