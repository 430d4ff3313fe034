package dev.sluice.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * The command's logging: Logback, on standard error, in one of two formats.
 *
 * <ul>
 *   <li>{@code text} (the default): {@code 12:00:01.234 INFO out - message}, as the command printed
 *       before it moved to Logback (time, level, the last part of the logger name, the message).
 *   <li>{@code json}: one JSON object per line (logstash-logback-encoder): {@code @timestamp},
 *       {@code level}, {@code logger_name}, {@code thread_name}, {@code message}, {@code stack_trace}
 *       and every MDC key at the top level ({@code pipeline}, {@code runId}, {@code destination}).
 * </ul>
 *
 * <p>The root level is {@code info} for {@code run}, {@code warn} for the other commands, or the
 * system property {@code sluice.log.level}; the log destination's loggers ({@code sluice.destination.*})
 * always log at {@code info}, since their lines are output the user asked for. Not thread-safe against
 * itself: configure from the main thread before the engine starts.
 */
final class Logging {
  /** The {@code --log-format} values. */
  enum Format {
    text, json
  }

  /** The {@code --log-level} values. */
  enum Level {
    trace, debug, info, warn, error, off
  }

  private static final String PATTERN = "%d{HH:mm:ss.SSS} %level %logger{0} - %msg%n";

  private Logging() {}

  /** Replaces the current Logback configuration with {@code format} at {@code defaultLevel}. */
  static void configure(Format format, String defaultLevel) {
    ch.qos.logback.classic.Level level = ch.qos.logback.classic.Level.toLevel(defaultLevel.toUpperCase(Locale.ROOT), null);
    if (level == null || !defaultLevel.equalsIgnoreCase(level.levelStr)) {
      throw new IllegalArgumentException(
          "--log-level '" + defaultLevel + "' is not one of trace, debug, info, warn, error, off");
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J provider (a host embedding the command): leave its configuration alone
    }
    context.reset();
    Encoder<ILoggingEvent> encoder;
    if (format == Format.json) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      json.setIncludeContext(false); // no logback context name/properties in every line
      json.start();
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setContext(context);
      text.setPattern(PATTERN);
      text.start();
      encoder = text;
    }
    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setTarget("System.err");
    console.setEncoder(encoder);
    console.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(console);
    context.getLogger("sluice.destination").setLevel(ch.qos.logback.classic.Level.INFO);
  }

  /** The level the command logs at unless {@code -Dsluice.log.level} says otherwise. */
  static String defaultLevel(boolean run) {
    return System.getProperty("sluice.log.level", run ? "info" : "warn");
  }
}
