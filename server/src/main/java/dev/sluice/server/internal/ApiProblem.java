package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An error answered as {@code application/problem+json} (RFC 9457): a status, a stable {@code type}
 * URI per kind of error, a title and a detail that says what was wrong and what to do. Details
 * never carry secrets or credentials.
 */
public final class ApiProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;
  /** Every problem type is this plus a slug, e.g. {@code https://sluice.dev/problems/not-found}. */
  public static final String BASE = "https://sluice.dev/problems/";

  private final int status;
  private final String slug;
  private final String title;
  private final transient Consumer<ObjectNode> extra;
  private final Map<String, String> headers;

  public ApiProblem(int status, String slug, String title, String detail) {
    this(status, slug, title, detail, null, Map.of());
  }

  public ApiProblem(int status, String slug, String title, String detail, Consumer<ObjectNode> extra,
      Map<String, String> headers) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extra = extra;
    this.headers = Map.copyOf(headers);
  }

  public int status() {
    return status;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The problem document for request path {@code instance}. */
  public ObjectNode toJson(String instance) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("type", BASE + slug);
    n.put("title", title);
    n.put("status", status);
    n.put("detail", getMessage());
    n.put("instance", instance);
    if (extra != null) {
      extra.accept(n);
    }
    return n;
  }

  public static ApiProblem badRequest(String detail) {
    return new ApiProblem(400, "bad-request", "Bad request", detail);
  }

  public static ApiProblem invalidBody(String detail) {
    return new ApiProblem(400, "invalid-body", "The request body is not valid", detail);
  }

  public static ApiProblem notFound(String detail) {
    return new ApiProblem(404, "not-found", "Not found", detail);
  }

  public static ApiProblem conflict(String detail) {
    return new ApiProblem(409, "conflict", "Conflict", detail);
  }

  public static ApiProblem preconditionFailed(String detail) {
    return new ApiProblem(412, "precondition-failed", "Precondition failed", detail);
  }

  public static ApiProblem preconditionRequired(String detail) {
    return new ApiProblem(428, "precondition-required", "Precondition required", detail);
  }
}
