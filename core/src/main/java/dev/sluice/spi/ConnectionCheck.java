package dev.sluice.spi;

import java.time.Duration;

/**
 * An optional capability of a {@link Connector} or a {@link Destination}: checks that the remote
 * side it talks to can be reached with the configured address and credentials, the way an operator
 * would press "test connection" before the first run. A plugin offers it by implementing this
 * interface next to {@code Connector} or {@code Destination}; hosts call it through {@link
 * dev.sluice.Sluice#checkDestination} and {@link dev.sluice.Sluice#checkSource}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>No data is moved: nothing is read into a run, nothing is written or sent to the remote
 *       side (no message posted, no object or row written, no e-mail sent). The check is free of
 *       side effects at the remote side as far as its protocol allows (a connect and a no-op, a
 *       {@code HEAD}, an identity call such as Slack's {@code auth.test}, a one-row read). A local
 *       check that must touch what it checks (a writable directory) removes what it made.
 *   <li>It returns within about {@code timeout}: connect and read timeouts are set from it. The
 *       caller may interrupt a check that overruns; stop then, throwing {@link
 *       InterruptedException}.
 *   <li>An unreachable host, refused credentials or a missing bucket are answers, not errors:
 *       return {@link ConnectionCheckResult#failed}. A thrown exception is turned into a failed
 *       result by the caller all the same.
 *   <li>The message names what failed and where (host and port, bucket, table, the HTTP status and
 *       the vendor's reason) and never contains a secret: no token, password, key or signed URL.
 *       The details hold safe facts only.
 *   <li>Thread-safe: it may run while the plugin serves runs, and several checks may run at once.
 * </ul>
 */
public interface ConnectionCheck {

  /**
   * Checks the connection to the remote side.
   *
   * @param timeout how long the check may take, positive, never null
   * @return {@link ConnectionCheckResult#ok} or {@link ConnectionCheckResult#failed}, never null
   * @throws InterruptedException when interrupted while waiting for the remote side
   */
  ConnectionCheckResult checkConnection(Duration timeout) throws InterruptedException;
}
