package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.spi.ConnectionCheckResult;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Locale;

/**
 * The "test connection" routes: {@code POST /api/v1/destinations/{name}/test} and {@code POST
 * /api/v1/pipelines/{name}/source/test}. A destination is a resource of its own (shared by
 * pipelines); a source exists only as a pipeline's, so its test hangs under the pipeline. Both are
 * POST: they make the server reach out to the remote side, which a GET must not do.
 *
 * <p>Answers 200 whatever the outcome, with {@code status} ok, failed or unsupported: a failed
 * check is the answer the caller asked for, not an error of the request.
 */
final class ConnectionTests {
  static final int DEFAULT_TIMEOUT_SECONDS = 10;
  static final int MAX_TIMEOUT_SECONDS = 60;

  private final Sluice sluice;

  ConnectionTests(Sluice sluice) {
    this.sluice = sluice;
  }

  void destination(Context c) throws InterruptedException {
    String name = c.pathParam("name");
    var d = sluice.definition().destinations().get(name);
    if (d == null) {
      throw new ApiProblem(404, "unknown-destination", "Unknown destination",
          "no destination named '" + name + "' runs on this server");
    }
    Duration timeout = timeout(c);
    long start = System.nanoTime();
    respond(c, name, d.spec().type(), sluice.checkDestination(name, timeout), start);
  }

  void source(Context c) throws InterruptedException {
    String name = c.pathParam("name");
    var p = sluice.definition().pipelines().get(name);
    if (p == null) {
      throw new ApiProblem(404, "unknown-pipeline", "Unknown pipeline", "no pipeline named '" + name
          + "' runs on this server (a stored pipeline runs once the server is restarted with it)");
    }
    Duration timeout = timeout(c);
    long start = System.nanoTime();
    respond(c, name, p.source().type(), sluice.checkSource(name, timeout), start);
  }

  private static Duration timeout(Context c) {
    String v = c.queryParam("timeoutSeconds");
    if (v == null || v.isBlank()) {
      return Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= MAX_TIMEOUT_SECONDS) {
        return Duration.ofSeconds(n);
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw ApiProblem.badRequest("timeoutSeconds: expected a whole number from 1 to " + MAX_TIMEOUT_SECONDS
        + ", got '" + v + "'");
  }

  private static void respond(Context c, String name, String type, ConnectionCheckResult r, long start) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("name", name);
    n.put("type", type);
    n.put("status", r.status().name().toLowerCase(Locale.ROOT));
    n.put("message", r.message());
    n.put("tookMillis", (System.nanoTime() - start) / 1_000_000);
    ObjectNode details = n.putObject("details");
    r.details().forEach(details::put);
    Responses.json(c, 200, n);
  }
}
