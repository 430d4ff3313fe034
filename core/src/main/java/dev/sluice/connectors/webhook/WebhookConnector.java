package dev.sluice.connectors.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.record.FieldPath;
import dev.sluice.record.Checkpoint;
import dev.sluice.record.IdempotencyKeys;
import dev.sluice.record.Record;
import dev.sluice.spi.Connector;
import dev.sluice.spi.Emitter;
import dev.sluice.spi.ReadContext;

/**
 * Emits the records of the payload a webhook trigger delivered as the run's parameters: an object
 * is one record, an array one record per element. With {@code records} set, the records are taken
 * from that field of the payload instead (e.g. {@code data.object} for Stripe events).
 *
 * <p>Keys come from the {@code key} field when configured (a record without it is rejected as a
 * dead letter), else from a hash of the record's JSON, so the same payload delivered twice yields
 * the same keys and idempotent destinations do not duplicate it. Elements that are not objects are
 * rejected as dead letters, with their position. No checkpoints: a webhook payload has no position
 * to resume from.
 *
 * <p>Thread-safe and stateless: concurrent runs each read their own parameters.
 */
public final class WebhookConnector implements Connector {
  private final FieldPath key;
  private final FieldPath records;

  /**
   * @param key field holding the record key, or null to key records by a hash of their content
   * @param records field of the payload holding the records, or null for the payload itself
   */
  WebhookConnector(FieldPath key, FieldPath records) {
    this.key = key;
    this.records = records;
  }

  @Override
  public void read(ReadContext context, Checkpoint from, Emitter emitter) throws Exception {
    JsonNode payload = context.parameters();
    JsonNode body = records == null ? payload : records.path(payload);
    String where = records == null ? "payload" : "payload." + records;
    if (body.isObject()) {
      emit((ObjectNode) body, where, emitter);
    } else if (body.isArray()) {
      for (int i = 0; i < body.size() && !context.isCancelled(); i++) {
        JsonNode element = body.get(i);
        if (element.isObject()) {
          emit((ObjectNode) element, where + "[" + i + "]", emitter);
        } else {
          emitter.reject(element.toString(), where + "[" + i + "]", "expected a JSON object, got " + element.getNodeType());
        }
      }
    } else {
      emitter.reject(body.toString(), where, body.isMissingNode()
          ? "the payload has no field '" + records + "'"
          : "expected a JSON object or array, got " + body.getNodeType());
    }
  }

  private void emit(ObjectNode node, String where, Emitter emitter) throws InterruptedException {
    String k;
    if (key == null) {
      k = IdempotencyKeys.of("webhook", node.toString());
    } else {
      k = key.textAt(node);
      if (k == null) {
        emitter.reject(node.toString(), where, "the key field '" + key + "' is missing or not a scalar");
        return;
      }
    }
    emitter.emit(Record.of(k, node)); // node is part of the context's copy of the payload: the record may own it
  }
}
