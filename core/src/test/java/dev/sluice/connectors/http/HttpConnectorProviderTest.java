package dev.sluice.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.spi.PluginConfigException;
import dev.sluice.spi.PluginKind;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.testing.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Discovery, the config schema and option errors that name the option. */
class HttpConnectorProviderTest {
  @TempDir Path dir;

  @Test
  void isDiscoveredAsTypeHttp() {
    ProviderRegistry registry = ProviderRegistry.discover(getClass().getClassLoader(), List.of());
    assertThat(registry.find(PluginKind.CONNECTOR, "http")).containsInstanceOf(HttpConnectorProvider.class);
  }

  private List<ConfigProblem> validate(String source) throws Exception {
    Path f = dir.resolve("sluice.yaml");
    Files.writeString(f, "destinations: { out: { type: log } }\npipelines:\n  p:\n    source:\n"
        + source.indent(6) + "    rules: [ { to: out } ]\n");
    return ConfigLoader.create(ProviderRegistry.discover(getClass().getClassLoader(), List.of()), Map.<String, String>of()::get,
        Clock.systemUTC()).validate(List.of(f));
  }

  @Test
  void theSchemaAcceptsEveryOptionAndNamesUnknownOnes() throws Exception {
    assertThat(validate("""
        type: http
        baseUrl: https://api.example.com/v1
        path: /projects/{partition}/issues
        method: GET
        headers: { Accept: application/json }
        query: { state: all, labels: [a, b], per_page: 100 }
        auth: { type: oauth2, tokenUrl: https://auth.example.com/token, clientId: c, clientSecret: s,
                grant: refresh-token, refreshTokenSecret: rt, scopes: [read], parameters: { audience: x },
                clientAuthentication: body, expiryMargin: 2m }
        signer: { type: test-hmac, secret: k }
        records: { path: $.items, format: json, key: id, fields: [id, title] }
        pagination: { type: cursor, cursor: $.next, param: after, sizeParam: limit, size: 50, maxPages: 10,
                      hasMore: $.more, stopOnEmptyPage: true }
        incremental: { field: updated_at, param: since, format: iso, start: "{now-30d}", lookback: 1h, sorted: true }
        partitions: { type: request, value: id, request: { path: /projects, records: { path: $.data },
                      pagination: { type: link } } }
        maxRequestsPerSecond: 2.5
        retry: { maxRetries: 3, initialBackoff: 500ms, maxBackoff: 30s, maxRetryAfter: 2m }
        onStatus: { "404": ignore, "5xx": retry }
        connectTimeout: 5s
        requestTimeout: 30s
        httpVersion: http2
        proxy: { host: proxy.internal, port: 3128 }
        timeZone: Europe/Berlin
        maxResponseBytes: 1048576
        secretQueryParameters: [sig]
        """)).isEmpty();

    assertThat(validate("type: http\nbaseUrl: https://x\npagnation: { type: page }"))
        .anySatisfy(p -> assertThat(p.toString()).contains("pagnation"));
    assertThat(validate("type: http\nbaseUrl: https://x\nonStatus: { \"40\": ignore }"))
        .anySatisfy(p -> assertThat(p.toString()).contains("/pipelines/p/source"));
  }

  private static void create(String yaml) {
    Harness.connector(yaml, new FakeTime(), new FakeTime(), new Harness.MapSecrets()).close();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "baseUrl: ftp://x|option 'baseUrl' must be an absolute http(s) URL",
      "baseUrl: https://u:p@x|must not hold credentials",
      "baseUrl: https://x ;; timeZone: Mars/Olympus|option 'timeZone' must be a time zone",
      "baseUrl: https://x ;; path: /a/{partition}|uses {partition} but no partitions are configured",
      "baseUrl: https://x ;; records: { path: '$..[' }|option 'path': invalid JSONPath",
      "baseUrl: https://x ;; records: { key: id, keyTemplate: '{record.id}' }|either 'key' or 'keyTemplate'",
      "baseUrl: https://x ;; pagination: { type: link, size: 3 }|option 'size' does not apply to type link",
      "baseUrl: https://x ;; pagination: { type: cursor }|option 'cursor' is required",
      "baseUrl: https://x ;; incremental: { field: t }|set 'param'",
      "baseUrl: https://x ;; incremental: { field: t, param: s, type: number, lookback: 1h }|lookback applies to timestamps only",
      "baseUrl: https://x ;; incremental: { field: t, param: s, format: pew }|incremental.format: invalid date pattern 'pew'",
      "baseUrl: https://x ;; onStatus: { '200': ignore }|onStatus key must be a status",
      "baseUrl: https://x ;; onStatus: { '404': skip }|must be retry, fail or ignore",
      "baseUrl: https://x ;; auth: { type: api-key, name: 'X Key', value: v }|option 'name' must be a header name",
      "baseUrl: https://x ;; auth: { type: bearer, token: 1234 }|value hidden: it is a secret",
      "baseUrl: https://x ;; partitions: { type: dates, start: x, step: 0d }|partitions.step must be a positive step",
      "baseUrl: https://x ;; partitions: { type: list, values: [] }|option 'values' must be a non-empty list",
      "baseUrl: https://x ;; body: { a: 1 }|a GET request has no body",
      "baseUrl: https://x ;; maxRequestsPerSecond: 0|option 'maxRequestsPerSecond' must be a number above 0",
  })
  void badOptionsFailNamingTheOption(String yaml, String message) {
    assertThatThrownBy(() -> create(yaml.replace(" ;; ", "\n")))
        .isInstanceOf(PluginConfigException.class)
        .hasMessageStartingWith("pipeline 'p' source (type http)")
        .hasMessageContaining(message);
  }

  @Test
  void aSecretInAnOptionNeverAppearsInTheError() {
    assertThatThrownBy(() -> create("baseUrl: https://x\nauth: { type: basic, username: u, password: \"{nope}hunter2\" }"))
        .hasMessageContaining("unknown variable 'nope'").hasMessageNotContaining("hunter2");
  }
}
