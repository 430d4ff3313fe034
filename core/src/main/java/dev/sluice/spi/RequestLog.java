package dev.sluice.spi;

/**
 * Where a {@link Connector} reports each request it makes to its source (an HTTP call, a query), so
 * that {@code sluice try-source} can show them and hosts can trace a run.
 *
 * <p>Connectors call it after each request, also failed ones. The arguments are shown to people as
 * given: the connector masks secrets (tokens, API keys in query strings, passwords in URLs) before
 * calling.
 *
 * <p>Thread-safety: implementations accept calls from any thread. Nullability: no argument is null.
 */
@FunctionalInterface
public interface RequestLog {

  /** Discards everything; what {@link ReadContext#requestLog()} returns unless the host wants them. */
  RequestLog NONE = (method, target, outcome) -> {};

  /**
   * Notes one request.
   *
   * @param method what was done, e.g. {@code GET} or {@code QUERY}
   * @param target what it was done to, masked, e.g. {@code https://api.example.com/v1/items?page=2&api_key=***}
   * @param outcome how it went, e.g. {@code 200, 100 records, 12.3 kB, 85 ms} or {@code 503, retrying in 2s}
   */
  void request(String method, String target, String outcome);
}
