package dev.sluice.server.internal;

import dev.sluice.auth.Permission;
import dev.sluice.auth.Principal;
import io.javalin.http.Context;
import java.util.function.Function;

/**
 * One API route: method, OpenAPI-style path, the permission it declares, how to find the pipeline
 * the request concerns (for pipeline-scoped policies), and the action.
 */
public record Route(String method, String path, Permission permission, Function<Context, String> pipelineOf,
    Action action) {

  /** The work of a route, once the caller is authenticated and allowed. */
  @FunctionalInterface
  public interface Action {
    /** @param principal who called; null on public routes */
    void handle(Context ctx, Principal principal) throws Exception;
  }
}
