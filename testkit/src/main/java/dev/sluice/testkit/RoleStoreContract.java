package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.store.RoleRecord;
import dev.sluice.store.RoleStore;
import dev.sluice.store.Store;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#roles()} must do. Implement it on the store's
 * {@link StoreContract} subclass.
 */
public interface RoleStoreContract {
  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, the same instance for the whole test
   */
  Store store();

  private RoleStore roles() {
    return store().roles().orElseThrow(() -> new AssertionError(store() + " offers no roles()"));
  }

  /** Custom roles are saved, replaced, listed by name and deleted. */
  @Test
  default void customRolesAreSavedReplacedListedAndDeleted() {
    Instant t = Instant.parse("2026-03-29T01:30:00.123Z");
    roles().saveRole(new RoleRecord("zeta", "", Set.of("pipelines:read"), t));
    roles().saveRole(new RoleRecord("deployer", "runs orders", Set.of("runs:trigger@orders-*", "runs:read@tag:eu"), t));
    assertThat(roles().listRoles()).extracting(RoleRecord::name).containsExactly("deployer", "zeta");
    assertThat(roles().findRole("deployer")).contains(
        new RoleRecord("deployer", "runs orders", Set.of("runs:trigger@orders-*", "runs:read@tag:eu"), t));
    roles().saveRole(new RoleRecord("deployer", "changed", Set.of(), t.plusSeconds(1)));
    assertThat(roles().findRole("deployer").orElseThrow().grants()).isEmpty();
    assertThat(roles().findRole("deployer").orElseThrow().description()).isEqualTo("changed");
    assertThat(roles().deleteRole("deployer")).isTrue();
    assertThat(roles().deleteRole("deployer")).isFalse();
    assertThat(roles().findRole("deployer")).isEmpty();
  }
}
