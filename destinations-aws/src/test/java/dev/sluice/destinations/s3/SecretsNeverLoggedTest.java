package dev.sluice.destinations.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.RunInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Whatever the destination and the SDK log while failing and succeeding, no secret is in it. */
class SecretsNeverLoggedTest {
  private S3Fixture s3;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Logger sluice;
  private Logger sdk;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Fixture();
    appender.start();
    sluice = (Logger) LoggerFactory.getLogger("sluice");
    sdk = (Logger) LoggerFactory.getLogger("software.amazon.awssdk");
    sluice.addAppender(appender);
    sluice.setLevel(Level.DEBUG);
    sdk.addAppender(appender);
    sdk.setLevel(Level.INFO);
  }

  @AfterEach
  void stop() throws Exception {
    sluice.detachAppender(appender);
    sdk.detachAppender(appender);
    sluice.setLevel(Level.INFO);
    sdk.setLevel(null);
    s3.close();
  }

  @Test
  void noSecretInLogsOrExceptions() throws Exception {
    String wrong = "wrong-secret-value-for-the-log-test-42";
    Batch batch = Batch.of("p", "exports", "r", List.of(Record.builder("k", JsonNodeFactory.instance.objectNode()
        .put("a", 1)).observedAt(S3Fixture.NOW).build()));
    Throwable failure;
    try (S3Destination d = s3.destination(Map.of("secretAccessKey", wrong, "manifest", true))) {
      failure = catchThrowable(() -> d.deliver(batch));
      d.finishRun(new RunInfo("p", "r", S3Fixture.NOW), false);
    }
    try (S3Destination d = s3.destination(Map.of("manifest", true))) {
      d.deliver(batch);
      d.finishRun(new RunInfo("p", "r", S3Fixture.NOW), true);
    }
    assertThat(failure).isNotNull();
    assertThat(appender.list).as("the successful run logs its manifest").isNotEmpty();
    StringBuilder all = new StringBuilder(String.valueOf(failure));
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append('\n').append(t.getMessage());
    }
    for (ILoggingEvent e : appender.list) {
      all.append('\n').append(e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        all.append('\n').append(t.getMessage());
      }
    }
    assertThat(all.toString()).doesNotContain(wrong).doesNotContain(S3ProxyServer.SECRET_KEY);
  }
}
