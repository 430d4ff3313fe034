package dev.sluice.destinations.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.destinations.s3.internal.S3Clients;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.destinations.s3.internal.S3Settings;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.PluginConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Error classification against a local stub that answers with S3's documented REST error
 * responses, and assume-role credentials through a local stub of STS's documented AssumeRole
 * response, used against a real S3Proxy that accepts only the role's temporary keys.
 */
class S3ErrorsAndCredentialsTest {
  private HttpServer stub;
  private volatile int status;
  private volatile String body;
  private volatile Map<String, String> extraHeaders = Map.of();
  private volatile boolean stsRefuses;
  private final List<String> stsRequests = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void startStub() throws IOException {
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.createContext("/", exchange -> {
      String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      byte[] b;
      if (request.startsWith("Action=AssumeRole") && stsRefuses) {
        // STS error response (AWS STS API Reference, "Common Errors"; query-protocol ErrorResponse).
        b = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
            + "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/exporter is not authorized to"
            + " perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/exporter</Message></Error>"
            + "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/xml");
        exchange.sendResponseHeaders(403, b.length);
      } else if (request.startsWith("Action=AssumeRole")) {
        stsRequests.add(URLDecoder.decode(request, StandardCharsets.UTF_8));
        // STS AssumeRole response as documented in the AWS STS API Reference (AssumeRole, "Example").
        b = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
            + "<AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/exporter/sluice</Arn>"
            + "<AssumedRoleId>ARO123EXAMPLE123:sluice</AssumedRoleId></AssumedRoleUser>"
            + "<Credentials><AccessKeyId>ASIATEMPORARYKEY0001</AccessKeyId>"
            + "<SecretAccessKey>temporary-secret-of-the-role</SecretAccessKey>"
            + "<SessionToken>session-token-of-the-role</SessionToken>"
            + "<Expiration>2099-11-09T13:34:41Z</Expiration></Credentials>"
            + "<PackedPolicySize>6</PackedPolicySize></AssumeRoleResult>"
            + "<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>"
            + "</AssumeRoleResponse>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/xml");
        exchange.sendResponseHeaders(200, b.length);
      } else {
        b = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.getResponseHeaders().add("x-amz-request-id", "4442587FB7D0A2F9");
        extraHeaders.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(status, b.length);
      }
      exchange.getResponseBody().write(b);
      exchange.close();
    });
    stub.start();
  }

  @AfterEach
  void stopStub() {
    stub.stop(0);
  }

  private S3Destination destination(Map<String, Object> options) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("bucket", "exports-bucket");
    o.put("key", "daily/{run}-{part}.{ext}");
    o.put("endpoint", "http://127.0.0.1:" + stub.getAddress().getPort());
    o.put("region", "eu-central-1");
    o.put("accessKeyId", S3ProxyServer.testKey("TEST", 16));
    o.put("secretAccessKey", "stub-secret-never-shown");
    o.put("sdkMaxAttempts", 1);
    o.putAll(options);
    S3Settings settings = S3Settings.from(PluginConfig.of("destination 'exports' (type s3)", o));
    S3Clients.Built built = S3Clients.create(settings, List.of());
    return new S3Destination("exports", settings, built.s3(), built.closeables(), new com.fasterxml.jackson.databind.ObjectMapper(),
        Clock.fixed(S3Fixture.NOW, ZoneOffset.UTC), LoggerFactory.getLogger("sluice.destination.exports"));
  }

  private static Batch batch() {
    return Batch.of("p", "exports", "r", List.of(Record.builder("k", JsonNodeFactory.instance.objectNode().put("a", 1))
        .observedAt(S3Fixture.NOW).build()));
  }

  /** S3's REST error response body (Amazon S3 API Reference, "Error responses"). */
  private static String error(String code, String message) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
        + "</Message><Resource>/exports-bucket/daily/r-0000000000.jsonl.gz</Resource>"
        + "<RequestId>4442587FB7D0A2F9</RequestId></Error>";
  }

  @ParameterizedTest
  @CsvSource({
      "503, SlowDown, Please reduce your request rate., true",
      "503, ServiceUnavailable, Service is unable to handle request., true",
      "500, InternalError, We encountered an internal error. Please try again., true",
      "400, RequestTimeout, Your socket connection to the server was not read from or written to within the timeout period., true",
      "400, BadDigest, The Content-MD5 you specified did not match what we received., true",
      "403, AccessDenied, Access Denied, false",
      "404, NoSuchBucket, The specified bucket does not exist., false",
      "403, InvalidAccessKeyId, The AWS access key Id you provided does not exist in our records., false",
      "400, KMS.NotFoundException, Invalid keyId, false",
      "501, NotImplemented, A header you provided implies functionality that is not implemented., false"})
  void classifiesS3Errors(int httpStatus, String code, String message, boolean retryable) throws Exception {
    status = httpStatus;
    body = error(code, message);
    try (S3Destination d = destination(Map.of())) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> d.deliver(batch()));
      assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
      assertThat(e.getMessage()).contains(code).contains("HTTP " + httpStatus)
          .contains("s3://exports-bucket/daily/r-0000000000.jsonl.gz").contains("destination 'exports'")
          .doesNotContain("stub-secret-never-shown");
    }
  }

  @Test
  void throttlingHonoursRetryAfterWhenTheStoreSendsIt() throws Exception {
    status = 503;
    body = error("SlowDown", "Please reduce your request rate.");
    extraHeaders = Map.of("Retry-After", "7");
    try (S3Destination d = destination(Map.of())) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> d.deliver(batch()));
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
    }
  }

  @Test
  void anUnreachableStoreIsRetryable() throws Exception {
    int port = stub.getAddress().getPort();
    stub.stop(0);
    try (S3Destination d = destination(Map.of("endpoint", "http://127.0.0.1:" + port))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> d.deliver(batch()));
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("s3://exports-bucket/daily/r-0000000000.jsonl.gz");
    }
  }

  @Test
  void aRefusedAssumeRoleIsPermanent() throws Exception {
    stsRefuses = true;
    try (S3Destination d = destination(Map.of("roleArn", "arn:aws:iam::123456789012:role/exporter",
        "stsEndpoint", "http://127.0.0.1:" + stub.getAddress().getPort()))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> d.deliver(batch()));
      assertThat(e.isRetryable()).as(e.getMessage()).isFalse();
      assertThat(e.getMessage()).contains("AccessDenied").contains("credentials could not be obtained")
          .contains("s3://exports-bucket/daily/r-0000000000.jsonl.gz").doesNotContain("stub-secret-never-shown");
    }
  }

  @Test
  void assumesARoleThroughStsAndWritesWithItsTemporaryKeys() throws Exception {
    try (S3ProxyServer roleOnly = new S3ProxyServer("ASIATEMPORARYKEY0001", "temporary-secret-of-the-role", true)) {
      roleOnly.createBucket("role-bucket");
      S3Fixture.Recorder recorder = new S3Fixture.Recorder();
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("bucket", "role-bucket");
      o.put("key", "r/{run}-{part}.{ext}");
      o.put("endpoint", roleOnly.endpoint().toString());
      o.put("region", "eu-central-1");
      o.put("accessKeyId", S3ProxyServer.testKey("TEST", 16)); // S3Proxy does not accept these: only the role's keys
      o.put("secretAccessKey", "base-secret-never-shown");
      o.put("roleArn", "arn:aws:iam::123456789012:role/exporter");
      o.put("externalId", "external-id-secret");
      o.put("stsEndpoint", "http://127.0.0.1:" + stub.getAddress().getPort());
      o.put("sdkMaxAttempts", 1);
      S3Settings settings = S3Settings.from(PluginConfig.of("destination 'exports' (type s3)", o));
      assertThat(settings.toString()).contains("assume role arn:aws:iam::123456789012:role/exporter")
          .doesNotContain("base-secret-never-shown").doesNotContain("external-id-secret");
      S3Clients.Built built = S3Clients.create(settings, List.of(recorder));
      try (S3Destination d = new S3Destination("exports", settings, built.s3(), built.closeables(),
          new com.fasterxml.jackson.databind.ObjectMapper(), Clock.fixed(S3Fixture.NOW, ZoneOffset.UTC),
          LoggerFactory.getLogger("sluice.destination.exports"))) {
        assertThat(d.deliver(batch()).isSuccess()).isTrue();
      }
      assertThat(stsRequests).hasSize(1);
      assertThat(stsRequests.get(0)).contains("Action=AssumeRole")
          .contains("RoleArn=arn:aws:iam::123456789012:role/exporter").contains("RoleSessionName=sluice")
          .contains("ExternalId=external-id-secret");
      S3Fixture.Sent put = recorder.of("PutObject").get(0);
      assertThat(put.header("Authorization")).contains("Credential=ASIATEMPORARYKEY0001/");
      assertThat(put.header("x-amz-security-token")).isEqualTo("session-token-of-the-role");
      assertThat(roleOnly.blobStore().blobExists("role-bucket", "r/r-0000000000.jsonl.gz")).isTrue();
    }
  }
}
