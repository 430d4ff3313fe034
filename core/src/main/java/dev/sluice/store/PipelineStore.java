package dev.sluice.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Stored pipeline, destination and rule configurations, with optimistic locking.
 *
 * <p>Thread-safety: safe for concurrent use; concurrent writers are told apart by version.
 */
public interface PipelineStore {

  /**
   * Creates or updates a configuration.
   *
   * @param kind what it defines
   * @param name unique per kind
   * @param spec the definition as JSON; the store keeps a copy
   * @param expectedVersion 0 to create (fails if it exists), otherwise the version the caller read
   * @return the stored document with its new version
   * @throws StaleVersionException when the stored version is not {@code expectedVersion}
   */
  ConfigDocument put(ConfigDocument.Kind kind, String name, ObjectNode spec, long expectedVersion);

  /**
   * One stored configuration.
   *
   * @param kind what it defines
   * @param name its name
   * @return the document, or empty when there is none
   */
  Optional<ConfigDocument> get(ConfigDocument.Kind kind, String name);

  /**
   * All of one kind, by name.
   *
   * @param kind what they define
   * @return the documents, never null
   */
  List<ConfigDocument> list(ConfigDocument.Kind kind);

  /**
   * Deletes a stored configuration.
   *
   * @param kind what it defines
   * @param name its name
   * @return whether it existed
   */
  boolean delete(ConfigDocument.Kind kind, String name);
}
