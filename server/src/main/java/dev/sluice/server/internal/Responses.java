package dev.sluice.server.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;

/** Writes JSON and problem responses. */
public final class Responses {
  /** Set on a request once a problem document was written, so the error pages leave it alone. */
  public static final String PROBLEM_WRITTEN = "sluice.problem";

  private Responses() {}

  public static void json(Context c, int status, JsonNode body) {
    json(c, status, body, "application/json");
  }

  public static void json(Context c, int status, JsonNode body, String contentType) {
    c.status(status);
    c.contentType(contentType);
    try {
      c.result(JsonBodies.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a response could not be written as JSON", e);
    }
  }

  public static void problem(Context c, ApiProblem p) {
    p.headers().forEach(c::header);
    json(c, p.status(), p.toJson(c.path()), "application/problem+json");
    c.attribute(PROBLEM_WRITTEN, Boolean.TRUE);
  }
}
