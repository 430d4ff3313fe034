package dev.sluice.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RoleStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoleBasedAccessPolicyTest {

  /**
   * The expected decision of every built-in role for every permission, written out by hand: a change
   * to {@link BuiltInRoles} or a new {@link Permission} fails this test until the table is updated.
   * Columns: viewer, operator, admin.
   */
  private static final Map<Permission, boolean[]> EXPECTED = new LinkedHashMap<>();

  static {
    //                                                   viewer operator admin
    EXPECTED.put(Permission.PIPELINES_READ, new boolean[] {true, true, true});
    EXPECTED.put(Permission.PIPELINES_WRITE, new boolean[] {false, false, true});
    EXPECTED.put(Permission.RUNS_READ, new boolean[] {true, true, true});
    EXPECTED.put(Permission.RUNS_TRIGGER, new boolean[] {false, true, true});
    EXPECTED.put(Permission.RUNS_CANCEL, new boolean[] {false, true, true});
    EXPECTED.put(Permission.DEAD_LETTERS_READ, new boolean[] {true, true, true});
    EXPECTED.put(Permission.DEAD_LETTERS_REPLAY, new boolean[] {false, true, true});
    EXPECTED.put(Permission.DEAD_LETTERS_PURGE, new boolean[] {false, true, true});
    EXPECTED.put(Permission.CHECKPOINTS_READ, new boolean[] {true, true, true});
    EXPECTED.put(Permission.CHECKPOINTS_RESET, new boolean[] {false, true, true});
    EXPECTED.put(Permission.PLUGINS_READ, new boolean[] {true, true, true});
    EXPECTED.put(Permission.SECRETS_READ, new boolean[] {false, true, true});
    EXPECTED.put(Permission.SECRETS_WRITE, new boolean[] {false, false, true});
    EXPECTED.put(Permission.USERS_ADMIN, new boolean[] {false, false, true});
    EXPECTED.put(Permission.AUDIT_READ, new boolean[] {false, false, true});
    EXPECTED.put(Permission.METRICS_READ, new boolean[] {true, true, true});
  }

  private static final String[] ROLES = {BuiltInRoles.VIEWER, BuiltInRoles.OPERATOR, BuiltInRoles.ADMIN};

  private final RoleBasedAccessPolicy policy = RoleBasedAccessPolicy.builtInRolesOnly();

  @Test
  void theTableCoversEveryPermissionAndEveryBuiltInRole() {
    assertThat(EXPECTED.keySet()).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Permission.class));
    assertThat(BuiltInRoles.all().keySet()).containsExactlyInAnyOrder(ROLES);
  }

  @Test
  void everyBuiltInRoleTimesEveryPermissionDecidesAsTheTableSays() {
    int checked = 0;
    for (Map.Entry<Permission, boolean[]> row : EXPECTED.entrySet()) {
      Permission p = row.getKey();
      for (int i = 0; i < ROLES.length; i++) {
        Principal who = new Principal("u-" + ROLES[i], Set.of(ROLES[i]));
        for (String pipeline : new String[] {null, "orders"}) {
          AccessDecision d = policy.decide(who, p, pipeline);
          boolean expected = row.getValue()[i];
          String on = pipeline == null ? "" : " on pipeline " + pipeline;
          assertThat(d.allowed()).as("%s × %s%s: %s", ROLES[i], p, on, d.explanation()).isEqualTo(expected);
          assertThat(d.explanation()).isEqualTo(expected
              ? "allowed: role " + ROLES[i] + " grants " + p.id() + on
              : "denied: role " + ROLES[i] + " lacks " + p.id() + on);
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(Permission.values().length * 3 * 2);
  }

  @Test
  void theIssueExampleExplanation() {
    assertThat(policy.decide(new Principal("bob", Set.of("viewer")), Permission.RUNS_TRIGGER, "orders").explanation())
        .isEqualTo("denied: role viewer lacks runs:trigger on pipeline orders");
  }

  @Test
  void noRolesOrUnknownRolesAreDeniedAndSaidSo() {
    assertThat(policy.decide(new Principal("nobody", Set.of()), Permission.PIPELINES_READ).explanation())
        .isEqualTo("denied: nobody has no role granting pipelines:read");
    AccessDecision d = policy.decide(new Principal("eve", Set.of("superuser")), Permission.PIPELINES_READ);
    assertThat(d.allowed()).isFalse();
    assertThat(d.explanation()).isEqualTo("denied: eve has no known role granting pipelines:read; unknown role superuser ignored");
  }

  @Test
  void severalRolesAnyOneGrantingIsEnough() {
    Principal both = new Principal("carol", Set.of("viewer", "operator"));
    assertThat(policy.decide(both, Permission.RUNS_TRIGGER, "x").explanation())
        .isEqualTo("allowed: role operator grants runs:trigger on pipeline x");
    assertThat(policy.decide(both, Permission.USERS_ADMIN).explanation())
        .isEqualTo("denied: roles operator, viewer lack users:admin");
  }

  @Test
  void customRolesWithPipelineScopesByNamePatternAndTag() {
    RoleStore roles = new InMemoryStore().roles().orElseThrow();
    roles.saveRole(RoleDefinition.custom("orders-ops", "runs the order pipelines", Set.of(
        PermissionGrant.parse("runs:trigger@orders-*"),
        PermissionGrant.parse("dead-letters:replay@tag:finance"),
        PermissionGrant.parse("pipelines:read"))).toRecord(Instant.EPOCH));
    RoleBasedAccessPolicy p = RoleBasedAccessPolicy.builder().roles(roles)
        .pipelineTags(name -> name.equals("ledger") ? Set.of("finance") : Set.of()).build();
    Principal dana = new Principal("dana", Set.of("orders-ops"));

    assertThat(p.decide(dana, Permission.RUNS_TRIGGER, "orders-eu").explanation())
        .isEqualTo("allowed: role orders-ops grants runs:trigger on pipeline orders-eu (runs:trigger@orders-*)");
    assertThat(p.decide(dana, Permission.RUNS_TRIGGER, "billing").explanation())
        .isEqualTo("denied: role orders-ops lacks runs:trigger on pipeline billing (granted only as runs:trigger@orders-*)");
    assertThat(p.decide(dana, Permission.RUNS_TRIGGER).allowed()).as("a scoped grant never covers 'all pipelines'").isFalse();
    assertThat(p.decide(dana, Permission.DEAD_LETTERS_REPLAY, "ledger").allowed()).isTrue();
    assertThat(p.decide(dana, Permission.DEAD_LETTERS_REPLAY, "orders-eu").allowed()).isFalse();
    assertThat(p.decide(dana, Permission.PIPELINES_READ, "anything").allowed()).isTrue();
    assertThat(p.decide(dana, Permission.PIPELINES_READ).allowed()).isTrue();
    assertThat(p.decide(dana, Permission.USERS_ADMIN).allowed()).isFalse();

    // A changed role applies at once.
    roles.deleteRole("orders-ops");
    assertThat(p.decide(dana, Permission.PIPELINES_READ).explanation())
        .isEqualTo("denied: dana has no known role granting pipelines:read; unknown role orders-ops ignored");
  }

  @Test
  void grantSyntax() {
    assertThat(PermissionGrant.parse("runs:trigger").toString()).isEqualTo("runs:trigger");
    assertThat(PermissionGrant.parse(" RUNS:TRIGGER@orders-* ").toString()).isEqualTo("runs:trigger@orders-*");
    assertThat(PermissionGrant.parse("runs:read@tag:eu").tag()).isEqualTo("eu");
    assertThatThrownBy(() -> PermissionGrant.parse("runs:launch")).hasMessageContaining("unknown permission 'runs:launch'");
    assertThatThrownBy(() -> PermissionGrant.parse("users:admin@orders")).hasMessageContaining("can't be scoped");
    assertThatThrownBy(() -> PermissionGrant.parse("runs:read@a b")).hasMessageContaining("'a b'");
    assertThatThrownBy(() -> PermissionGrant.parse("runs:read@tag:x*")).hasMessageContaining("tag");
    assertThatThrownBy(() -> RoleDefinition.custom("admin", "", Set.of())).hasMessageContaining("built-in");
  }

  @Test
  void globMatching() {
    assertThat(PermissionGrant.glob("orders-*", "orders-eu")).isTrue();
    assertThat(PermissionGrant.glob("orders-*", "orders-")).isTrue();
    assertThat(PermissionGrant.glob("orders-*", "order")).isFalse();
    assertThat(PermissionGrant.glob("*-eu", "orders-eu")).isTrue();
    assertThat(PermissionGrant.glob("a?c", "abc")).isTrue();
    assertThat(PermissionGrant.glob("a?c", "abbc")).isFalse();
    assertThat(PermissionGrant.glob("*a*b*c*", "xxaxxbxxcxx")).isTrue();
    assertThat(PermissionGrant.glob("*", "")).isTrue();
    // Hostile pattern/name pairs finish (no backtracking blow-up).
    char[] as = new char[5000];
    Arrays.fill(as, 'a');
    assertThat(PermissionGrant.glob("*a*a*a*a*a*a*a*b", new String(as))).isFalse();
  }
}
