package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.sluice.spi.ConnectionCheck;
import dev.sluice.spi.ConnectionCheckResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs a plugin's {@link ConnectionCheck} the way the contracts expect it to behave. */
final class CheckRunner {
  /** The timeout handed to the check. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** How long past the timeout the contract waits before calling the check unbounded. */
  private static final Duration GRACE = Duration.ofSeconds(20);

  private CheckRunner() {}

  /**
   * Runs the check on a thread of its own and insists it returns a result, within its timeout
   * (plus a generous grace for slow machines), without throwing.
   */
  static ConnectionCheckResult run(String what, ConnectionCheck check) throws InterruptedException {
    CompletableFuture<ConnectionCheckResult> future = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        future.complete(check.checkConnection(TIMEOUT));
      } catch (Throwable e) {
        future.completeExceptionally(e);
      }
    }, "contract-connection-check");
    t.setDaemon(true);
    t.start();
    try {
      ConnectionCheckResult r = future.get(TIMEOUT.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
      assertThat(r).as(what + ": checkConnection returned null").isNotNull();
      assertThat(r.message()).as(what + ": the message names what was checked").isNotBlank();
      return r;
    } catch (ExecutionException e) {
      throw new AssertionError(what + ": checkConnection threw instead of returning a failed result: "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      t.interrupt();
      return fail(what + ": checkConnection did not return within its timeout of " + TIMEOUT.toSeconds()
          + " s (+" + GRACE.toSeconds() + " s grace): set connect and read timeouts from it");
    }
  }
}
