package dev.sluice.destinations.log;

import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs each record through SLF4J ({@code sluice.destination.<name>}): key and JSON data,
 * truncated to {@code maxChars}. For trying rules out and for low-volume alerts.
 *
 * <p>Thread-safe.
 */
public final class LogDestination implements Destination {
  private final Logger logger;
  private final Level level;
  private final int maxChars;

  /**
   * Logs to the logger {@code sluice.destination.<name>}.
   *
   * @param name the destination's name
   * @param level the level to log at
   * @param maxChars characters of JSON data logged per record, at least 16; longer data is cut
   * @throws IllegalArgumentException when {@code maxChars} is under 16
   */
  public LogDestination(String name, Level level, int maxChars) {
    this(LoggerFactory.getLogger("sluice.destination." + Objects.requireNonNull(name)), level, maxChars);
  }

  /**
   * Logs to {@code logger}.
   *
   * @param logger the logger
   * @param level the level to log at
   * @param maxChars characters of JSON data logged per record, at least 16; longer data is cut
   * @throws IllegalArgumentException when {@code maxChars} is under 16
   */
  public LogDestination(Logger logger, Level level, int maxChars) {
    this.logger = Objects.requireNonNull(logger);
    this.level = Objects.requireNonNull(level);
    if (maxChars < 16) {
      throw new IllegalArgumentException("maxChars must be at least 16, got " + maxChars);
    }
    this.maxChars = maxChars;
  }

  @Override
  public DeliveryResult deliver(Batch batch) {
    if (!logger.isEnabledForLevel(level)) {
      return DeliveryResult.success();
    }
    for (Record r : batch) {
      String data = r.data().toString();
      if (data.length() > maxChars) {
        data = data.substring(0, maxChars) + "… (" + data.length() + " chars)";
      }
      logger.atLevel(level).log("[{}] {} {}", batch.pipeline(), r.key(), data);
    }
    return DeliveryResult.success();
  }
}
