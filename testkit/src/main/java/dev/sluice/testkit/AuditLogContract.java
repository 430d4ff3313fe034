package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.store.AuditEvent;
import dev.sluice.store.AuditLog;
import dev.sluice.store.Store;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#auditLog()} must do. Implement it on the store's
 * {@link StoreContract} subclass.
 */
public interface AuditLogContract {
  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, the same instance for the whole test
   */
  Store store();

  private AuditLog log() {
    return store().auditLog().orElseThrow(() -> new AssertionError(store() + " offers no auditLog()"));
  }

  /** Appended events get increasing ids and are paged newest first. */
  @Test
  default void eventsGetIncreasingIdsAndPageNewestFirst() {
    Instant t = Instant.parse("2026-03-29T01:30:00.123Z");
    AuditEvent a = log().append(AuditEvent.of(t, "alice", "login", "alice", true, "192.0.2.1", null));
    AuditEvent b = log().append(AuditEvent.of(t.plusSeconds(1), "alice", "login", "alice", false, "192.0.2.1",
        "wrong password"));
    AuditEvent c = log().append(AuditEvent.of(t.plusSeconds(2), "root", "user.create", "bob", true, null, "roles [viewer]"));
    assertThat(a.id()).isPositive();
    assertThat(b.id()).isGreaterThan(a.id());
    assertThat(c.id()).isGreaterThan(b.id());

    assertThat(log().list(Long.MAX_VALUE, 10)).containsExactly(c, b, a);
    List<AuditEvent> page = log().list(Long.MAX_VALUE, 2);
    assertThat(page).containsExactly(c, b);
    assertThat(log().list(page.get(1).id(), 2)).containsExactly(a);
    assertThatThrownBy(() -> log().list(Long.MAX_VALUE, 0)).isInstanceOf(IllegalArgumentException.class);

    assertThat(log().purge(t.plusSeconds(2))).isEqualTo(2);
    assertThat(log().list(Long.MAX_VALUE, 10)).containsExactly(c);
  }
}
