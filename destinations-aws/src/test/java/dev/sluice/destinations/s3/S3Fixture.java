package dev.sluice.destinations.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.destinations.s3.internal.S3Clients;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.destinations.s3.internal.S3Settings;
import dev.sluice.spi.PluginConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Builds destinations against an {@link S3ProxyServer} and reads back what they stored. */
final class S3Fixture implements AutoCloseable {
  private static final java.util.concurrent.atomic.AtomicInteger BUCKETS = new java.util.concurrent.atomic.AtomicInteger();
  static final Instant NOW = Instant.parse("2026-03-14T09:26:53Z");

  final S3ProxyServer server;
  /** A fresh bucket per fixture, on the one server all tests share (it takes seconds to start). */
  final String bucket = "sluice-test-" + BUCKETS.incrementAndGet();
  final S3Client admin;
  final Recorder recorder = new Recorder();
  final ObjectMapper mapper = new ObjectMapper();
  final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  S3Fixture() throws Exception {
    server = S3ProxyServer.shared();
    server.createBucket(bucket);
    admin = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder().build())
        .endpointOverride(server.endpoint())
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
        .build();
  }

  /** Options pointing at the server with static keys, plus {@code extra}. */
  Map<String, Object> options(Map<String, ?> extra) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("type", "s3");
    o.put("bucket", bucket);
    o.put("endpoint", server.endpoint().toString());
    o.put("region", "us-east-1");
    o.put("accessKeyId", S3ProxyServer.ACCESS_KEY);
    o.put("secretAccessKey", S3ProxyServer.SECRET_KEY);
    o.put("sdkMaxAttempts", 1); // the engine retries; no SDK back-off sleeping in tests
    o.putAll(extra);
    return o;
  }

  S3Destination destination(Map<String, ?> extra) {
    return destination(extra, List.of(recorder));
  }

  S3Destination destination(Map<String, ?> extra, List<ExecutionInterceptor> interceptors) {
    return destinationWith(interceptors, options(extra));
  }

  /** A destination with exactly these options (no defaults added). */
  S3Destination destinationWith(List<ExecutionInterceptor> interceptors, Map<String, Object> options) {
    S3Settings settings = S3Settings.from(PluginConfig.of("destination 'exports' (type s3)", options));
    S3Clients.Built built = S3Clients.create(settings, interceptors);
    return new S3Destination("exports", settings, built.s3(), built.closeables(), mapper,
        Clock.fixed(NOW, ZoneOffset.UTC), LoggerFactory.getLogger("sluice.destination.exports"), meters);
  }

  List<String> keys() {
    List<String> keys = new ArrayList<>();
    admin.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).forEach(keys::add);
    Collections.sort(keys);
    return keys;
  }

  byte[] get(String key) {
    return admin.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
  }

  static byte[] gunzip(byte[] b) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(b))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int multipartUploadsInProgress() {
    return admin.listMultipartUploads(b -> b.bucket(bucket)).uploads().size();
  }

  @Override
  public void close() throws Exception {
    admin.close();
  }

  /** One HTTP request the SDK sent: operation and headers as signed and transmitted. */
  record Sent(String operation, SdkHttpRequest http) {
    String header(String name) {
      return http.firstMatchingHeader(name).orElse(null);
    }
  }

  /** Captures every request just before transmission; may rewrite them. */
  static final class Recorder implements ExecutionInterceptor {
    final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
    volatile UnaryOperator<Sent> rewrite = s -> s;

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
      return context.httpRequest();
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      sent.add(new Sent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), context.httpRequest()));
    }

    List<Sent> of(String operation) {
      synchronized (sent) {
        return sent.stream().filter(s -> s.operation().equals(operation)).toList();
      }
    }
  }
}
