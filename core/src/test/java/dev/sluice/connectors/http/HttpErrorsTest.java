package dev.sluice.connectors.http;

import static dev.sluice.connectors.http.Harness.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.connectors.http.ApiStub.Answer;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rate limits, Retry-After, backoff, per-status actions, cancellation and interrupts; time is fake. */
@Timeout(30)
class HttpErrorsTest extends StubbedApiTest {

  private HttpConnector http(String yaml) {
    return connector("baseUrl: " + api.url() + "\npath: /items\nrecords: { key: id }\n" + yaml);
  }

  private static Answer ok() {
    return Answer.json(List.of(Map.of("id", "a")));
  }

  /** Answers the given failures first, then 200. */
  private void failFirst(Answer... failures) {
    AtomicInteger n = new AtomicInteger();
    api.on("/items", r -> {
      int i = n.getAndIncrement();
      return i < failures.length ? failures[i] : ok();
    });
  }

  @Test
  void status429WaitsRetryAfterSecondsPlusALittleJitter() throws Exception {
    failFirst(Answer.status(429, "{}").header("Retry-After", "7"));
    Harness.Run run = read(http(""), time, null);

    assertThat(run.keys()).containsExactly("a");
    assertThat(time.waits).singleElement().satisfies(w ->
        assertThat(w).isBetween(Duration.ofSeconds(7), Duration.ofMillis(7700)));
    assertThat(run.requests.get(0)).contains("429, retry 1/5 in 7");
  }

  @Test
  void status503WaitsUntilARetryAfterDate() throws Exception {
    String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        time.instant().plusSeconds(120).atOffset(ZoneOffset.UTC));
    failFirst(Answer.status(503, "{}").header("Retry-After", inTwoMinutes));
    read(http(""), time, null);
    assertThat(time.waits).singleElement().satisfies(w ->
        assertThat(w).isBetween(Duration.ofSeconds(120), Duration.ofSeconds(121)));
  }

  @Test
  void withoutRetryAfterTheBackoffDoublesWithJitterUpToTheMaximum() throws Exception {
    failFirst(Answer.status(502, "{}"), Answer.status(503, "{}"), Answer.status(500, "{}"), Answer.status(504, "{}"));
    read(http("retry: { initialBackoff: 1s, maxBackoff: 3s }"), time, null);

    assertThat(time.waits).hasSize(4);
    assertThat(time.waits.get(0)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
    assertThat(time.waits.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
    assertThat(time.waits.get(2)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(3));
    assertThat(time.waits.get(3)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(3));
  }

  @Test
  void exhaustedRetriesFailNamingTheRequestStatusAndTheStartOfTheBody() {
    String body = "{\"error\":\"overloaded\",\"padding\":\"" + "x".repeat(2000) + "\"}";
    api.on("/items", r -> Answer.status(503, body));
    HttpConnector c = http("retry: { maxRetries: 2 }\nquery: { status: open }");

    Throwable t = catchThrowable(() -> read(c, time, null));
    assertThat(t).isInstanceOf(HttpSourceException.class)
        .hasMessageStartingWith("GET " + api.url() + "/items?status=open answered 503 (gave up after 2 retries): "
            + "{\"error\":\"overloaded\"");
    assertThat(t.getMessage().length()).as("only the first bytes of the body").isLessThan(700);
    assertThat(((HttpSourceException) t).status()).isEqualTo(503);
    assertThat(api.requests).hasSize(3);
  }

  @Test
  void aRetryAfterLongerThanTheMaximumFailsInsteadOfWaiting() {
    api.on("/items", r -> Answer.status(429, "{}").header("Retry-After", "86400"));
    assertThatThrownBy(() -> read(http("retry: { maxRetryAfter: 10m }"), time, null))
        .hasMessageContaining("asked to wait 1440 min").hasMessageContaining("maxRetryAfter 10 min");
    assertThat(time.waits).isEmpty();
  }

  @Test
  void clientErrorsFailAtOnceByDefault() {
    api.on("/items", r -> Answer.status(400, "{\"error\":\"bad filter\"}"));
    assertThatThrownBy(() -> read(http(""), time, null))
        .hasMessage("GET " + api.url() + "/items answered 400: {\"error\":\"bad filter\"}");
    assertThat(api.requests).hasSize(1);
  }

  @Test
  void perStatusActionsOverrideClassesAndDefaults() throws Exception {
    failFirst(Answer.status(409, "{}"), Answer.status(409, "{}"));
    assertThat(read(http("onStatus: { \"4xx\": retry, \"400\": fail }"), time, null).keys()).containsExactly("a");
    connector.close();

    api.requests.clear();
    api.on("/items", r -> Answer.status(503, "{}"));
    assertThatThrownBy(() -> read(http("onStatus: { \"5xx\": fail }"), time, null)).hasMessageContaining("503");
    assertThat(api.requests).as("5xx: fail replaced the default retry of 503").hasSize(1);
    connector.close();

    api.on("/items", r -> Answer.status(410, "{\"error\":\"gone\"}"));
    Harness.Run ignored = read(http("onStatus: { \"410\": ignore }"), time, null);
    assertThat(ignored.records()).isEmpty();
    assertThat(ignored.requests.get(0)).contains("410, ignored");
  }

  @Test
  void connectionErrorsAreRetriedThenFailNamingTheRequest() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    connector("baseUrl: http://127.0.0.1:" + closedPort + "\npath: /items\nretry: { maxRetries: 2 }");
    Throwable t = catchThrowable(() -> read(connector, time, null));
    assertThat(t).isInstanceOf(HttpSourceException.class)
        .hasMessageStartingWith("GET http://127.0.0.1:" + closedPort + "/items failed after 2 retries: ConnectException");
    assertThat(((HttpSourceException) t).status()).isEqualTo(-1);
    assertThat(time.waits).hasSize(2);
  }

  @Test
  void theRequestRateIsLimited() throws Exception {
    api.on("/items", r -> {
      int page = r.param("page") == null ? 1 : Integer.parseInt(r.param("page"));
      return Answer.json(page <= 4 ? List.of(Map.of("id", "r" + page)) : List.of());
    });
    read(http("pagination: { type: page }\nmaxRequestsPerSecond: 2"), time, null);

    assertThat(api.requests).hasSize(5);
    assertThat(time.waits).containsOnly(Duration.ofMillis(500)).hasSize(4);
  }

  @Test
  void cancellationStopsBetweenPages() throws Exception {
    api.on("/items", r -> {
      int page = r.param("page") == null ? 1 : Integer.parseInt(r.param("page"));
      return Answer.json(List.of(Map.of("id", page + "a"), Map.of("id", page + "b")));
    });
    HttpConnector c = http("pagination: { type: page }");
    Harness.Run run = new Harness.Run(time, null);
    run.cancelAfterRecords = 2;
    c.read(run, null, run);

    assertThat(run.keys()).containsExactly("1a", "1b");
    assertThat(api.requests).hasSize(1);
    assertThat(run.checkpoints()).as("a cancelled full refresh is not complete").isEmpty();
  }

  @Test
  void anInterruptAbortsTheRequestInFlight() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    api.on("/items", r -> {
      arrived.countDown();
      release.await(20, TimeUnit.SECONDS);
      return ok();
    });
    HttpConnector c = http("requestTimeout: 60s");
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread reader = new Thread(() -> {
      try {
        read(c, time, null);
        outcome.set(new AssertionError("read returned"));
      } catch (Throwable e) {
        outcome.set(e);
      }
    });
    reader.start();
    assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
    reader.interrupt();
    reader.join(10_000); // generous: only a read that ignores the interrupt takes the stub's 20 s
    release.countDown();

    assertThat(reader.isAlive()).isFalse();
    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
  }
}
