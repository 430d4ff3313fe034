package dev.sluice.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;

/** Sluice's JSON settings. Not API. */
public final class Json {
  private Json() {}

  /**
   * A new mapper that reads decimals as {@link java.math.BigDecimal}, exactly as written, so that
   * amounts keep every digit (a double would turn {@code 123456789012345678901234567890.123} into
   * {@code 1.2345678901234568E29}).
   */
  public static ObjectMapper newMapper() {
    ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    // Keep decimals as written: 12.50 stays 12.50 (JSON trees would otherwise strip the zero).
    mapper.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
    return mapper;
  }
}
