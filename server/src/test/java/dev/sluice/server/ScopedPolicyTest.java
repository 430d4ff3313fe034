package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.AccessDecision;
import dev.sluice.auth.AccessPolicy;
import dev.sluice.auth.Permission;
import dev.sluice.store.InMemoryStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline a request concerns reaches the access policy: from the path, the run, the dead letter or the body. */
class ScopedPolicyTest {
  @TempDir Path dir;

  /** Operators may act on pipeline orders only; reading is allowed everywhere. */
  private static final AccessPolicy ORDERS_ONLY = (p, perm, pipeline) -> {
    if (perm == Permission.RUNS_READ || perm == Permission.DEAD_LETTERS_READ || perm == Permission.PIPELINES_READ) {
      return AccessDecision.allow("read");
    }
    return "orders".equals(pipeline) ? AccessDecision.allow("orders")
        : AccessDecision.deny("only pipeline orders, not " + (pipeline == null ? "all pipelines" : pipeline));
  };

  @Test
  void scopedGrantsSeeThePipeline() throws Exception {
    try (Fixture f = new Fixture(new InMemoryStore(), dir, o -> o.accessPolicy(ORDERS_ONLY))) {
      String id = f.runOrders();
      assertThat(f.call("POST", "/api/v1/pipelines/hooks/runs", "operator", null).statusCode()).isEqualTo(403);
      assertThat(f.call("POST", "/api/v1/runs/" + id + "/cancel", "operator", null).statusCode()).isEqualTo(409);
      assertThat(f.call("POST", "/api/v1/dead-letters/replay", "operator", "{\"pipeline\":\"orders\"}").statusCode())
          .isEqualTo(200);
      assertThat(f.call("POST", "/api/v1/dead-letters/replay", "operator", "{\"pipeline\":\"hooks\"}").statusCode())
          .isEqualTo(403);
      assertThat(f.call("POST", "/api/v1/dead-letters/purge", "operator", "{\"all\":true}").statusCode()).isEqualTo(403);
      long letter = Fixture.json(f.get("/api/v1/dead-letters", "viewer")).path("items").get(0).path("id").asLong();
      assertThat(f.call("POST", "/api/v1/dead-letters/" + letter + "/replay", "operator", null).statusCode())
          .isEqualTo(200);
      assertThat(Fixture.json(f.call("POST", "/api/v1/pipelines/hooks/runs", "operator", null)).path("detail").asText())
          .contains("only pipeline orders, not hooks");
    }
  }
}
