package dev.sluice.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * Opaque connector state after which every earlier record is safe to forget.
 *
 * <p>A connector emits a checkpoint after the records it covers; the engine stores it only once
 * every one of those records was acknowledged by every destination or parked as a dead letter,
 * and hands the last stored checkpoint back to the connector on the next run. Only the connector
 * that wrote a checkpoint interprets it.
 *
 * <p>Immutable: the state is deep-copied in and out. Never null inside.
 */
public final class Checkpoint {
  private final JsonNode state;

  private Checkpoint(JsonNode state) {
    this.state = Objects.requireNonNull(state, "checkpoint state must not be null").deepCopy();
  }

  /**
   * A checkpoint holding {@code state}.
   *
   * @param state the connector's state, any JSON; deep-copied
   * @return the checkpoint
   * @throws NullPointerException when {@code state} is null
   */
  public static Checkpoint of(JsonNode state) {
    return new Checkpoint(state);
  }

  /**
   * A checkpoint with one object of string/number fields, the common case.
   *
   * @param field the field's name
   * @param value its value, e.g. an offset or a timestamp in milliseconds
   * @return the checkpoint {@code {"<field>": <value>}}
   */
  public static Checkpoint of(String field, long value) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put(field, value);
    return new Checkpoint(node);
  }

  /**
   * A copy of the state; changing it does not change this checkpoint.
   *
   * @return a deep copy, never null
   */
  public JsonNode state() {
    return state.deepCopy();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Checkpoint && ((Checkpoint) o).state.equals(state);
  }

  @Override
  public int hashCode() {
    return state.hashCode();
  }

  @Override
  public String toString() {
    return "Checkpoint" + state;
  }
}
