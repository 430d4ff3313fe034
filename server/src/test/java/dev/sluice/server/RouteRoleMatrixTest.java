package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.InMemoryStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route × {anonymous, viewer, operator, admin}: 401 without credentials on protected routes,
 * 403 for a role below the route's least role, and the route's success status otherwise. The
 * expectations come from {@link RouteSamples}' hand-written table, and the table must name exactly
 * the routes the server registers.
 */
class RouteRoleMatrixTest {
  private static final List<String> RANKS = List.of("viewer", "operator", "admin");
  @TempDir static Path dir;
  static Fixture f;
  static String runId;

  @BeforeAll
  static void start() throws Exception {
    f = new Fixture(new InMemoryStore(), dir);
    runId = f.runOrders();
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  @Test
  void theTableNamesEveryRouteTheServerRegisters() {
    Set<String> table = RouteSamples.all(runId).stream().map(s -> s.method() + " " + s.template())
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> server = f.server.routes().stream().map(r -> r.method() + " " + r.path())
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(table).isEqualTo(server);
  }

  @Test
  void everyRouteForEveryRole() {
    List<String> failures = new ArrayList<>();
    int checked = 0;
    for (RouteSamples.Sample s : RouteSamples.all(runId)) {
      for (String role : Arrays.asList(null, "viewer", "operator", "admin")) {
        int expected;
        if (s.minRole() == null) {
          expected = s.okStatus();
        } else if (role == null) {
          expected = 401;
        } else if (RANKS.indexOf(role) < RANKS.indexOf(s.minRole())) {
          expected = 403;
        } else {
          expected = s.okStatus();
        }
        HttpResponse<String> r = RouteSamples.send(f, s, role);
        checked++;
        if (r.statusCode() != expected) {
          failures.add(s.method() + " " + s.template() + " as " + (role == null ? "anonymous" : role) + ": expected "
              + expected + ", got " + r.statusCode() + " " + r.body().substring(0, Math.min(200, r.body().length())));
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(checked).isEqualTo(RouteSamples.all(runId).size() * 4);
  }
}
