package dev.sluice.record;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.internal.JsonEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One JSON object read from a source, plus the metadata Sluice needs to route, deliver and
 * de-duplicate it.
 *
 * <ul>
 *   <li>{@link #key()}: a stable identifier assigned by the source (a HubSpot object id, a file
 *       position, a primary key). Together with the pipeline name it forms the idempotency key
 *       destinations use, so it must be the same when the same record is read again.
 *   <li>{@link #data()}: the payload. Records are <b>immutable by contract</b>: nobody mutates
 *       {@code data()} after the record was built; transformations copy first (see {@link
 *       #withData(ObjectNode)}).
 *   <li>{@link #source()} and {@link #observedAt()}: where and when the record was read; the engine
 *       fills them in when a connector leaves them out.
 *   <li>{@link #attributes()}: small string metadata (file name, HTTP header, page number).
 * </ul>
 *
 * <p>Thread-safety: safe to share between threads as long as nobody mutates {@code data()}.
 * Nullability: {@code key} and {@code data} are never null; {@code source} and {@code observedAt}
 * are null only before the engine stamped the record.
 */
public final class Record {
  private final String key;
  private final ObjectNode data;
  private final String source;
  private final Instant observedAt;
  private final Map<String, String> attributes;
  /**
   * {@code data} as compact UTF-8 JSON, made on first use and kept: records are immutable, so it
   * stays right, and every destination a record fans out to shares it. Volatile so that an encoding
   * made on the routing thread is seen whole by the delivering one.
   */
  private volatile byte[] json;

  private Record(
      String key, ObjectNode data, String source, Instant observedAt, Map<String, String> attributes) {
    this(key, data, source, observedAt, attributes, null);
  }

  private Record(
      String key,
      ObjectNode data,
      String source,
      Instant observedAt,
      Map<String, String> attributes,
      byte[] json) {
    this.key = requireKey(key);
    this.data = Objects.requireNonNull(data, "record data must not be null");
    this.source = source;
    this.observedAt = observedAt;
    this.attributes = attributes;
    this.json = json;
  }

  /**
   * A record with the given key and payload; the engine stamps source and observation time.
   *
   * @param key the source's stable identifier, non-empty
   * @param data the payload, never null; not to be changed afterwards
   * @return the record
   * @throws IllegalArgumentException when {@code key} is null or empty
   */
  public static Record of(String key, ObjectNode data) {
    return new Record(key, data, null, null, Map.of());
  }

  /**
   * A builder, for records with metadata.
   *
   * @param key the source's stable identifier, non-empty (checked by {@link Builder#build()})
   * @param data the payload, never null
   * @return a new builder
   */
  public static Builder builder(String key, ObjectNode data) {
    return new Builder(key, data);
  }

  /**
   * The source's stable identifier of this record.
   *
   * @return never null or empty
   */
  public String key() {
    return key;
  }

  /**
   * The payload. Immutable by contract: read it, never change it.
   *
   * @return never null
   */
  public ObjectNode data() {
    return data;
  }

  /**
   * The source that produced the record.
   *
   * @return the connector type or name, or null before the engine stamped the record
   */
  public String source() {
    return source;
  }

  /**
   * When the record was read.
   *
   * @return the instant, or null before the engine stamped the record
   */
  public Instant observedAt() {
    return observedAt;
  }

  /**
   * Small string metadata set by the source (file name, HTTP header, page number).
   *
   * @return unmodifiable, never null
   */
  public Map<String, String> attributes() {
    return attributes;
  }

  /**
   * Writes {@link #data()} to {@code out} as compact UTF-8 JSON (no line break), as Jackson writes
   * a tree with default settings. The encoding is made once per record and kept, so destinations
   * that write JSON share it instead of serializing the same record each; the engine makes it
   * ahead, on its routing thread, for destinations that ask (see {@link
   * dev.sluice.spi.Destination#writesRecordsAsJson()}).
   *
   * @param out where to write, never null
   * @throws IOException when {@code out} fails
   */
  public void writeJsonTo(OutputStream out) throws IOException {
    byte[] bytes = encodedJson();
    out.write(bytes, 0, bytes.length);
  }

  /**
   * The number of bytes {@link #writeJsonTo} writes; encodes the record now if nobody did yet.
   *
   * @return at least 2
   */
  public int jsonLength() {
    return encodedJson().length;
  }

  private byte[] encodedJson() {
    byte[] bytes = json;
    if (bytes == null) {
      bytes = JsonEncoder.encode(data); // racing threads make equal arrays; either one may stay
      json = bytes;
    }
    return bytes;
  }

  /**
   * This record with another payload and the same metadata.
   *
   * @param newData the new payload, a fresh copy (never the old payload changed in place)
   * @return a new record
   */
  public Record withData(ObjectNode newData) {
    return new Record(key, newData, source, observedAt, attributes);
  }

  /**
   * This record with another key (used by transforms that split one record into several).
   *
   * @param newKey the new key, non-empty
   * @return a new record sharing this one's payload
   */
  public Record withKey(String newKey) {
    return new Record(newKey, data, source, observedAt, attributes, json);
  }

  /**
   * This record with source and observation time filled in where they were missing.
   *
   * @param defaultSource the source to set when the record has none
   * @param now the observation time to set when the record has none
   * @return this record when both were set, else a new one
   */
  public Record stamped(String defaultSource, Instant now) {
    if (source != null && observedAt != null) {
      return this;
    }
    return new Record(
        key, data, source != null ? source : defaultSource, observedAt != null ? observedAt : now,
        attributes, json);
  }

  /**
   * A builder holding this record's key, payload and metadata, to change some of them.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(key, data).source(source).observedAt(observedAt);
    b.attributes.putAll(attributes);
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Record)) {
      return false;
    }
    Record r = (Record) o;
    return key.equals(r.key)
        && data.equals(r.data)
        && Objects.equals(source, r.source)
        && Objects.equals(observedAt, r.observedAt)
        && attributes.equals(r.attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, data, source, observedAt, attributes);
  }

  /** Key and source only: payloads can hold personal data and do not belong in logs. */
  @Override
  public String toString() {
    return "Record{key=" + key + (source != null ? ", source=" + source : "") + "}";
  }

  private static String requireKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("record key must be a non-empty string, got: " + key);
    }
    return key;
  }

  /** Builds a {@link Record}. Not thread-safe. */
  public static final class Builder {
    private final String key;
    private final ObjectNode data;
    private String source;
    private Instant observedAt;
    private final Map<String, String> attributes = new LinkedHashMap<>();

    private Builder(String key, ObjectNode data) {
      this.key = key;
      this.data = data;
    }

    /**
     * Sets the source that produced the record.
     *
     * @param source the connector type or name; null leaves it to the engine
     * @return this builder
     */
    public Builder source(String source) {
      this.source = source;
      return this;
    }

    /**
     * Sets when the record was read.
     *
     * @param observedAt the instant; null leaves it to the engine
     * @return this builder
     */
    public Builder observedAt(Instant observedAt) {
      this.observedAt = observedAt;
      return this;
    }

    /**
     * Adds (or replaces) one attribute.
     *
     * @param name never null
     * @param value never null
     * @return this builder
     * @throws NullPointerException when {@code name} or {@code value} is null
     */
    public Builder attribute(String name, String value) {
      attributes.put(
          Objects.requireNonNull(name, "attribute name"),
          Objects.requireNonNull(value, "value of attribute " + name));
      return this;
    }

    /**
     * Builds the record.
     *
     * @return a new immutable record
     * @throws IllegalArgumentException when the key is null or empty
     */
    public Record build() {
      return new Record(
          key,
          data,
          source,
          observedAt,
          attributes.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(attributes)));
    }
  }
}
