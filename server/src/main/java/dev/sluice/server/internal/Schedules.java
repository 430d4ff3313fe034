package dev.sluice.server.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.Sluice;
import dev.sluice.auth.Permission;
import dev.sluice.pipeline.Pipeline;
import dev.sluice.schedule.CronTrigger;
import dev.sluice.schedule.TriggerDefinition;
import dev.sluice.schedule.WebhookTrigger;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/pipelines/{name}/schedule}: a pipeline's triggers and the next times its
 * cron triggers fire (the dashboard's "next run"). Thread-safe.
 */
public final class Schedules {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int NEXT = 3;

  private final Sluice sluice;
  private final Clock clock;

  public Schedules(Sluice sluice, Clock clock) {
    this.sluice = sluice;
    this.clock = clock;
  }

  /** The route. */
  public List<Route> routes() {
    return List.of(new Route("GET", "/api/v1/pipelines/{name}/schedule", Permission.PIPELINES_READ,
        c -> c.pathParam("name"), (c, p) -> schedule(c)));
  }

  private void schedule(Context c) {
    String name = c.pathParam("name");
    Pipeline pipeline = sluice.definition().pipelines().get(name);
    if (pipeline == null) {
      throw new ApiProblem(404, "unknown-pipeline", "Unknown pipeline",
          "no pipeline named '" + name + "' runs on this instance");
    }
    Instant now = clock.instant();
    Instant soonest = null;
    ObjectNode out = F.objectNode();
    out.put("pipeline", name);
    ArrayNode triggers = F.arrayNode();
    for (TriggerDefinition t : pipeline.triggers()) {
      ObjectNode n = triggers.addObject();
      n.put("description", t.describe());
      if (t instanceof CronTrigger cron) {
        n.put("type", "cron");
        ArrayNode next = n.putArray("next");
        for (Instant i : cron.schedule().next(now, NEXT)) {
          next.add(i.toString());
          if (soonest == null || i.isBefore(soonest)) {
            soonest = i;
          }
        }
      } else if (t instanceof WebhookTrigger) {
        n.put("type", "webhook");
      } else {
        n.put("type", "plugin");
      }
    }
    if (soonest == null) {
      out.putNull("nextRun");
    } else {
      out.put("nextRun", soonest.toString());
    }
    out.set("triggers", triggers);
    Responses.json(c, 200, out);
  }
}
