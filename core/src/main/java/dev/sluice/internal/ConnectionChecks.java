package dev.sluice.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.connectors.http.Redactor;
import dev.sluice.spi.ConnectionCheck;
import dev.sluice.spi.ConnectionCheckResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Runs a plugin's {@link ConnectionCheck} for {@link dev.sluice.Sluice}: on a thread of its own so
 * that a check ignoring its timeout can't hold the caller, with the plugin's class loader as the
 * context class loader, turning what the plugin throws into a failed result and masking secrets in
 * whatever comes back (the plugin should not put any there; this is the second line). At most
 * {@code maxConcurrent} checks run at once per instance, so that a burst of "test connection"
 * requests can't pile up threads waiting on unreachable hosts.
 *
 * <p>Thread-safe.
 */
public final class ConnectionChecks {
  /** How long past the timeout a check may overrun before the caller stops waiting for it. */
  static final Duration GRACE = Duration.ofSeconds(2);
  private static final Pattern SECRET_OPTION = Pattern.compile(
      "(?i).*(password|passwd|secret|token|apikey|api_key|api-key|credentials?|privatekey|private_key|accesskey|secretkey)$");

  private final java.util.concurrent.Semaphore slots;
  private final int maxConcurrent;

  /**
   * @param maxConcurrent how many checks may run at once; a check beyond that fails at once
   */
  public ConnectionChecks(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
    this.slots = new java.util.concurrent.Semaphore(maxConcurrent);
  }

  /**
   * Checks {@code plugin} when it offers a check.
   *
   * @param what the plugin named for messages, e.g. {@code destination 'crm' (type hubspot)}
   * @param plugin the plugin instance (unwrapped)
   * @param options the plugin's options, whose secret-looking values are masked; may be null
   * @param timeout positive
   * @return the result, never null
   * @throws InterruptedException when the caller is interrupted while waiting
   */
  public ConnectionCheckResult run(String what, Object plugin, JsonNode options, Duration timeout)
      throws InterruptedException {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: expected a positive duration, got " + timeout);
    }
    if (!(plugin instanceof ConnectionCheck check)) {
      return ConnectionCheckResult.unsupported(what + " offers no connection check");
    }
    if (!slots.tryAcquire()) {
      return ConnectionCheckResult.failed(what + ": not checked, " + maxConcurrent
          + " connection checks are already running; try again when they are done");
    }
    Redactor redactor = new Redactor();
    collectSecrets(options, redactor);
    CompletableFuture<ConnectionCheckResult> future = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      ConnectionCheckResult result = null;
      Throwable failure = null;
      try {
        result = check.checkConnection(timeout);
      } catch (Throwable t) { // a check's bug or outage is an answer, never the caller's exception
        failure = t;
      } finally {
        // when the check really ends (not when the caller stops waiting), and before the caller
        // hears of it, so that a caller's next check finds the slot free
        slots.release();
      }
      if (failure != null) {
        future.completeExceptionally(failure);
      } else {
        future.complete(result);
      }
    }, "sluice-connection-check");
    thread.setDaemon(true);
    thread.setContextClassLoader(plugin.getClass().getClassLoader());
    try {
      thread.start();
    } catch (RuntimeException | Error e) { // no thread to give the slot back
      slots.release();
      throw e;
    }
    ConnectionCheckResult result;
    // a timeout of days is a mistake more likely than a wish; a day keeps the arithmetic in range
    long waitMillis = timeout.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toMillis()
        : timeout.plus(GRACE).toMillis();
    try {
      result = future.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      thread.interrupt();
      return ConnectionCheckResult.failed(what + ": the check did not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      thread.interrupt();
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return ConnectionCheckResult.failed(redactor.mask(what + ": the check threw " + cause.getClass().getName()
          + (cause.getMessage() == null ? "" : ": " + cause.getMessage())));
    }
    if (result == null) {
      return ConnectionCheckResult.failed(what + ": the check returned no result (a bug in the plugin)");
    }
    Map<String, String> details = new LinkedHashMap<>();
    result.details().forEach((k, v) -> details.put(k, redactor.mask(v)));
    return new ConnectionCheckResult(result.status(), redactor.mask(result.message()), details);
  }

  private static void collectSecrets(JsonNode node, Redactor redactor) {
    if (node == null) {
      return;
    }
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> {
        if (e.getValue().isTextual() && SECRET_OPTION.matcher(e.getKey()).matches()) {
          redactor.addSecret(e.getValue().asText());
        } else {
          collectSecrets(e.getValue(), redactor);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectSecrets(n, redactor));
    }
  }
}
