package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Request bodies; unknown fields are refused when read through {@link JsonBodies}. */
public final class Bodies {
  private Bodies() {}

  /** Create or validate a pipeline document. */
  public record CreatePipeline(String name, ObjectNode spec) {}

  /** Replace a pipeline document. */
  public record UpdatePipeline(ObjectNode spec) {}

  /** Trigger a run. */
  public record Trigger(ObjectNode parameters) {}

  /** Records to route without delivering. */
  public record Preview(List<JsonNode> records, String keyField) {}

  /** Which dead letters to replay or purge. */
  public record Selection(String pipeline, String destination, Boolean all) {}

  /** A secret's new value. */
  public record SecretValue(String value) {}
}
