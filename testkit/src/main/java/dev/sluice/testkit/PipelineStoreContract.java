package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.store.ConfigDocument;
import dev.sluice.store.PipelineStore;
import dev.sluice.store.StaleVersionException;
import dev.sluice.store.Store;
import org.junit.jupiter.api.Test;

/**
 * What a {@link Store} that offers {@link Store#pipelines()} (stored configuration documents) must
 * do. Implement it on the store's {@link StoreContract} subclass.
 */
public interface PipelineStoreContract {
  /**
   * The store under test ({@link StoreContract#store()}).
   *
   * @return the store, open
   */
  Store store();

  private PipelineStore pipelines() {
    return store().pipelines().orElseThrow(() -> new AssertionError(store() + " offers no pipelines()"));
  }

  /**
   * Creating and updating a document needs the version read last ({@link StaleVersionException}
   * otherwise); documents list by name per kind; delete removes only the given kind's document.
   */
  @Test
  default void configurationsAreVersionedAndLockedOptimistically() {
    ObjectNode v1 = JsonNodeFactory.instance.objectNode().put("type", "slack");
    ConfigDocument created = pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v1, 0);
    assertThat(created.version()).isEqualTo(1);
    assertThatThrownBy(() -> pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v1, 0))
        .isInstanceOf(StaleVersionException.class)
        .hasMessageContaining("'sales'");

    ObjectNode v2 = JsonNodeFactory.instance.objectNode().put("type", "slack").put("channel", "#sales");
    ConfigDocument updated = pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v2, 1);
    assertThat(updated.version()).isEqualTo(2);
    assertThatThrownBy(() -> pipelines().put(ConfigDocument.Kind.DESTINATION, "sales", v1, 1))
        .isInstanceOf(StaleVersionException.class);

    pipelines().put(ConfigDocument.Kind.DESTINATION, "alpha", v1, 0);
    pipelines().put(ConfigDocument.Kind.PIPELINE, "sales", JsonNodeFactory.instance.objectNode(), 0);
    assertThat(pipelines().list(ConfigDocument.Kind.DESTINATION))
        .extracting(ConfigDocument::name).containsExactly("alpha", "sales");
    assertThat(pipelines().get(ConfigDocument.Kind.DESTINATION, "sales"))
        .hasValueSatisfying(d -> assertThat(d.spec()).isEqualTo(v2));
    assertThat(pipelines().delete(ConfigDocument.Kind.DESTINATION, "sales")).isTrue();
    assertThat(pipelines().get(ConfigDocument.Kind.DESTINATION, "sales")).isEmpty();
    assertThat(pipelines().get(ConfigDocument.Kind.PIPELINE, "sales")).isPresent();
  }

}
