package dev.sluice.destinations.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.luben.zstd.ZstdInputStream;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.RunInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** The s3 destination against a real S3 server (S3Proxy, authentication on). */
class S3DestinationTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private S3Fixture s3;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Fixture();
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  static List<Record> records(int first, int count, Instant at) {
    List<Record> out = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      ObjectNode data = F.objectNode().put("id", i).put("name", "record " + i).put("amount", i * 1.5);
      out.add(Record.builder("key-" + i, data).source("test").observedAt(at).build());
    }
    return out;
  }

  private List<JsonNode> lines(byte[] body) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
      if (!line.isEmpty()) {
        out.add(s3.mapper.readTree(line));
      }
    }
    return out;
  }

  @Test
  void writesDailyGzipJsonLinesUnderTheDefaultKeyWithContentHeadersAndMetadata() throws Exception {
    List<Record> records = records(1, 20, S3Fixture.NOW);
    try (S3Destination d = s3.destination(Map.of())) {
      assertThat(d.deliver(Batch.of("daily-export", "exports", "run-1", records)).isSuccess()).isTrue();
    }
    String key = "daily-export/2026/03/14/run-1-0000000000.jsonl.gz";
    assertThat(s3.keys()).containsExactly(key);
    List<JsonNode> stored = lines(S3Fixture.gunzip(s3.get(key)));
    assertThat(stored).containsExactlyElementsOf(records.stream().map(r -> (JsonNode) r.data()).toList());

    HeadObjectResponse head = s3.admin.headObject(b -> b.bucket(s3.bucket).key(key));
    assertThat(head.contentType()).isEqualTo("application/x-ndjson");
    assertThat(head.contentEncoding()).isEqualTo("gzip");
    assertThat(head.metadata()).containsEntry("sluice-run", "run-1").containsEntry("sluice-records", "20")
        .containsEntry("sluice-first-position", "0");
    S3Fixture.Sent put = s3.recorder.of("PutObject").get(0);
    assertThat(put.header("Content-MD5")).as("S3 verifies the body against it").isNotBlank();
    assertThat(put.http().getUri().getPath()).as("path-style with an endpoint").startsWith("/" + s3.bucket + "/");
  }

  @Test
  void writesCsvCompressedWithZstd() throws Exception {
    List<Record> records = new ArrayList<>(records(1, 2, S3Fixture.NOW));
    records.add(Record.builder("key-3", F.objectNode().put("id", 3).put("name", "comma, \"quote\"\nline")
        .put("extra", true)).observedAt(S3Fixture.NOW).build());
    try (S3Destination d = s3.destination(Map.of("format", "csv", "compression", "zstd",
        "key", "csv/{run}-{part}.{ext}"))) {
      assertThat(d.deliver(Batch.of("p", "exports", "r", records)).isSuccess()).isTrue();
    }
    assertThat(s3.keys()).containsExactly("csv/r-0000000000.csv.zst");
    byte[] body;
    try (ZstdInputStream in = new ZstdInputStream(new ByteArrayInputStream(s3.get("csv/r-0000000000.csv.zst")))) {
      body = in.readAllBytes();
    }
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo(
        "id,name,amount,extra\r\n1,record 1,1.5,\r\n2,record 2,3.0,\r\n3,\"comma, \"\"quote\"\"\nline\",,true\r\n");
    assertThat(s3.recorder.of("PutObject").get(0).header("Content-Encoding")).isEqualTo("zstd");
    assertThat(s3.recorder.of("PutObject").get(0).header("Content-Type")).isEqualTo("text/csv; charset=utf-8");
  }

  @Test
  void rollsObjectsByRecordsBytesAndTime() throws Exception {
    Instant t0 = Instant.parse("2026-03-14T09:10:00Z");
    List<Record> records = new ArrayList<>();
    records.addAll(records(1, 5, t0));
    records.addAll(records(6, 2, t0.plus(Duration.ofHours(1))));
    try (S3Destination d = s3.destination(Map.of("key", "roll/{date:yyyy-MM-dd/HH}/{run}-{part}.{ext}",
        "maxRecordsPerObject", 3, "compression", "none"))) {
      assertThat(d.deliver(Batch.of("p", "exports", "r", records)).isSuccess()).isTrue();
    }
    // The hour in the key splits 5+2; 3 records per object splits the 5 into 3+2.
    assertThat(s3.keys()).containsExactly(
        "roll/2026-03-14/09/r-0000000000.jsonl", "roll/2026-03-14/09/r-0000000003.jsonl",
        "roll/2026-03-14/10/r-0000000005.jsonl");

    try (S3Fixture other = new S3Fixture();
        S3Destination d = other.destination(Map.of("key", "b/{run}-{part}.{ext}", "compression", "none",
            "maxBytesPerObject", 100, "rollInterval", "30m"))) {
      List<Record> more = new ArrayList<>(records(1, 4, t0));
      more.addAll(records(5, 1, t0.plus(Duration.ofMinutes(25))));
      assertThat(d.deliver(Batch.of("p", "exports", "r", more)).isSuccess()).isTrue();
      // Each line is 44-45 bytes: two per 100 bytes; 09:35 is in the next 30-minute window.
      assertThat(other.keys()).containsExactly("b/r-0000000000.jsonl", "b/r-0000000002.jsonl", "b/r-0000000004.jsonl");
      for (String k : other.keys()) {
        assertThat(other.get(k).length).isLessThanOrEqualTo(100);
      }
    }
  }

  @Test
  void aRetriedBatchOverwritesTheSameKeysInsteadOfAddingObjects() throws Exception {
    AtomicBoolean failSecondObject = new AtomicBoolean(true);
    ExecutionInterceptor flaky = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        SdkHttpRequest http = context.httpRequest();
        if (http.encodedPath().endsWith("-0000000004.jsonl.gz") && failSecondObject.getAndSet(false)) {
          throw new java.io.UncheckedIOException(new IOException("connection reset (test)"));
        }
      }
    };
    List<Record> records = records(1, 10, S3Fixture.NOW);
    try (S3Destination d = s3.destination(Map.of("key", "o/{run}-{part}.{ext}", "maxRecordsPerObject", 4),
        List.of(s3.recorder, flaky))) {
      Batch batch = Batch.of("p", "exports", "r", records);
      DeliveryException failed = catchThrowableOfType(DeliveryException.class, () -> d.deliver(batch));
      assertThat(failed.isRetryable()).isTrue();
      assertThat(s3.keys()).as("the first object was stored before the failure").containsExactly("o/r-0000000000.jsonl.gz");

      assertThat(d.deliver(batch.nextAttempt()).isSuccess()).isTrue();
      assertThat(d.deliver(batch.nextAttempt().nextAttempt()).isSuccess()).isTrue();
      assertThat(s3.keys()).as("retries overwrite the same three keys")
          .containsExactly("o/r-0000000000.jsonl.gz", "o/r-0000000004.jsonl.gz", "o/r-0000000008.jsonl.gz");

      // The next batch of the run continues after the first one's positions.
      assertThat(d.deliver(Batch.of("p", "exports", "r", records(11, 2, S3Fixture.NOW))).isSuccess()).isTrue();
      assertThat(s3.keys()).contains("o/r-0000000010.jsonl.gz").hasSize(4);
      // The same records again in this run (a redelivery): same keys, nothing added.
      assertThat(d.deliver(Batch.of("p", "exports", "r", records)).isSuccess()).isTrue();
      assertThat(s3.keys()).hasSize(4);
    }
    List<JsonNode> all = new ArrayList<>();
    for (String k : s3.keys()) {
      all.addAll(lines(S3Fixture.gunzip(s3.get(k))));
    }
    assertThat(all).as("each record once").hasSize(12).doesNotHaveDuplicates();
  }

  @Test
  void writesAManifestPerRunListingItsObjects() throws Exception {
    try (S3Destination d = s3.destination(Map.of("manifest", true, "key", "m/{run}-{part}.{ext}"))) {
      d.deliver(Batch.of("nightly", "exports", "run-7", records(1, 3, S3Fixture.NOW)));
      d.deliver(Batch.of("nightly", "exports", "run-7", records(4, 2, S3Fixture.NOW)));
      d.finishRun(new RunInfo("nightly", "run-7", S3Fixture.NOW), true);
    }
    assertThat(s3.keys()).containsExactly("m/run-7-0000000000.jsonl.gz", "m/run-7-0000000003.jsonl.gz",
        "nightly/_manifests/run-7.json");
    JsonNode manifest = s3.mapper.readTree(s3.get("nightly/_manifests/run-7.json"));
    assertThat(manifest.get("succeeded").asBoolean()).isTrue();
    assertThat(manifest.get("records").asLong()).isEqualTo(5);
    assertThat(manifest.get("objects")).hasSize(2);
    assertThat(manifest.get("objects").get(1).get("key").asText()).isEqualTo("m/run-7-0000000003.jsonl.gz");
    assertThat(manifest.get("objects").get(1).get("records").asInt()).isEqualTo(2);
    assertThat(manifest.get("objects").get(1).get("firstRecordKey").asText()).isEqualTo("key-4");
  }

  @Test
  void sendsServerSideEncryptionStorageClassAndTagHeaders() throws Exception {
    // S3Proxy stores objects without encrypting them; what matters is that S3 is asked to: the
    // headers are captured as the SDK transmits them, signed.
    try (S3Destination d = s3.destination(Map.of("serverSideEncryption", "kms",
        "kmsKeyId", "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "storageClass", "standard_ia", "tags", Map.of("team", "data", "env", "prod"), "key", "e/{run}-{part}.{ext}"))) {
      try {
        d.deliver(Batch.of("p", "exports", "r", records(1, 2, S3Fixture.NOW)));
      } catch (DeliveryException e) {
        // S3Proxy may refuse SSE-KMS as not implemented; that is a permanent refusal, not an outage.
        assertThat(e.isRetryable()).as(e.getMessage()).isFalse();
      }
    }
    S3Fixture.Sent put = s3.recorder.of("PutObject").get(0);
    assertThat(put.header("x-amz-server-side-encryption")).isEqualTo("aws:kms");
    assertThat(put.header("x-amz-server-side-encryption-aws-kms-key-id"))
        .isEqualTo("arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    assertThat(put.header("x-amz-storage-class")).isEqualTo("STANDARD_IA");
    assertThat(put.header("x-amz-tagging")).isEqualTo("env=prod&team=data");
    assertThat(put.header("Authorization")).as("signed").contains("x-amz-server-side-encryption");

    try (S3Fixture other = new S3Fixture();
        S3Destination d = other.destination(Map.of("serverSideEncryption", "s3", "key", "e/{run}-{part}.{ext}"))) {
      try {
        d.deliver(Batch.of("p", "exports", "r", records(1, 2, S3Fixture.NOW)));
      } catch (DeliveryException e) {
        assertThat(e.isRetryable()).as(e.getMessage()).isFalse();
      }
      assertThat(other.recorder.of("PutObject").get(0).header("x-amz-server-side-encryption")).isEqualTo("AES256");
    }
  }

  @Test
  void largeObjectsGoThroughAMultipartUploadThatLeavesNothingBehind() throws Exception {
    List<Record> big = new ArrayList<>();
    String filler = "x".repeat(1000);
    for (int i = 0; i < 6_000; i++) {
      big.add(Record.builder("k" + i, F.objectNode().put("id", i).put("filler", filler)).observedAt(S3Fixture.NOW).build());
    }
    try (S3Destination d = s3.destination(Map.of("compression", "none", "key", "big/{run}-{part}.{ext}",
        "multipartThreshold", 5 * 1024 * 1024, "multipartPartSize", 5 * 1024 * 1024))) {
      assertThat(d.deliver(Batch.of("p", "exports", "r", big)).isSuccess()).isTrue();
    }
    assertThat(s3.recorder.of("CreateMultipartUpload")).hasSize(1);
    assertThat(s3.recorder.of("UploadPart")).hasSize(2); // ~6.1 MB: 5 MiB + the rest
    assertThat(s3.recorder.of("CompleteMultipartUpload")).hasSize(1);
    assertThat(s3.recorder.of("PutObject")).isEmpty();
    assertThat(s3.recorder.of("UploadPart")).allSatisfy(p -> assertThat(p.header("Content-MD5")).isNotBlank());
    byte[] body = s3.get("big/r-0000000000.jsonl");
    assertThat(body.length).isGreaterThan(6_000_000);
    List<JsonNode> stored = lines(body);
    assertThat(stored).hasSize(6_000);
    assertThat(stored.get(5_999).get("id").asInt()).isEqualTo(5_999);
    assertThat(s3.multipartUploadsInProgress()).isZero();
    assertThat(s3.meters.counter("sluice.s3.objects", "destination", "exports").count()).isEqualTo(1);
    assertThat(s3.meters.counter("sluice.s3.bytes", "destination", "exports").count()).isEqualTo(body.length);
  }

  @Test
  void aFailedMultipartUploadIsAbortedAndNoneIsLeftBehind() throws Exception {
    // First: the listing does see an upload in progress (so "none" below means something).
    String id = s3.admin.createMultipartUpload(b -> b.bucket(s3.bucket).key("probe")).uploadId();
    assertThat(s3.multipartUploadsInProgress()).isEqualTo(1);
    s3.admin.abortMultipartUpload(b -> b.bucket(s3.bucket).key("probe").uploadId(id));
    assertThat(s3.multipartUploadsInProgress()).isZero();

    // Part 2 goes out with a wrong Content-MD5 (signed as sent): S3 refuses it with BadDigest.
    ExecutionInterceptor corrupt = new ExecutionInterceptor() {
      @Override
      public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        SdkHttpRequest http = context.httpRequest();
        if ("UploadPart".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
            && http.rawQueryParameters().getOrDefault("partNumber", List.of()).contains("2")) {
          return http.toBuilder().putHeader("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA==").build();
        }
        return http;
      }
    };
    List<Record> big = new ArrayList<>();
    String filler = "y".repeat(1000);
    for (int i = 0; i < 6_000; i++) {
      big.add(Record.builder("k" + i, F.objectNode().put("id", i).put("filler", filler)).observedAt(S3Fixture.NOW).build());
    }
    try (S3Destination d = s3.destination(Map.of("compression", "none", "key", "big/{run}-{part}.{ext}",
        "multipartThreshold", 5 * 1024 * 1024, "multipartPartSize", 5 * 1024 * 1024), List.of(corrupt, s3.recorder))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> d.deliver(Batch.of("p", "exports", "r", big)));
      assertThat(e.getMessage()).contains("BadDigest").contains("multipart upload of").contains("s3://" + s3.bucket + "/big/r-0000000000.jsonl");
      assertThat(e.isRetryable()).as("damaged in transit: worth another try").isTrue();
    }
    assertThat(s3.recorder.of("AbortMultipartUpload")).hasSize(1);
    assertThat(s3.multipartUploadsInProgress()).isZero();
    assertThat(s3.keys()).isEmpty();
    assertThat(s3.meters.counter("sluice.s3.multipart.aborted", "destination", "exports").count()).isEqualTo(1);
    assertThat(s3.meters.counter("sluice.s3.objects", "destination", "exports").count()).isZero();
  }

  @Test
  void aMultipartUploadInterruptedByACancelledRunIsStillAborted() throws Exception {
    ExecutionInterceptor cancel = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if ("UploadPart".equals(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))) {
          Thread.currentThread().interrupt(); // the run is cancelled while the first part is sent
          throw new java.io.UncheckedIOException(new java.io.InterruptedIOException("cancelled (test)"));
        }
      }
    };
    List<Record> big = new ArrayList<>();
    String filler = "z".repeat(1000);
    for (int i = 0; i < 6_000; i++) {
      big.add(Record.builder("k" + i, F.objectNode().put("id", i).put("filler", filler)).observedAt(S3Fixture.NOW).build());
    }
    try (S3Destination d = s3.destination(Map.of("compression", "none", "key", "big/{run}-{part}.{ext}",
        "multipartThreshold", 5 * 1024 * 1024, "multipartPartSize", 5 * 1024 * 1024), List.of(cancel, s3.recorder))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class, () -> d.deliver(Batch.of("p", "exports", "r", big)));
      assertThat(e.isRetryable()).isTrue();
      assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
    }
    assertThat(s3.recorder.of("AbortMultipartUpload")).hasSize(1);
    assertThat(s3.multipartUploadsInProgress()).isZero();
  }

  @Test
  void aMissingBucketIsAPermanentFailureNamingBucketAndKey() throws Exception {
    try (S3Destination d = s3.destination(Map.of("bucket", "no-such-bucket", "key", "x/{run}-{part}.{ext}"))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class,
          () -> d.deliver(Batch.of("p", "exports", "r", records(1, 1, S3Fixture.NOW))));
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("NoSuchBucket").contains("s3://no-such-bucket/x/r-0000000000.jsonl.gz");
    }
  }

  @Test
  void wrongCredentialsArePermanentAndTheSecretIsNeverShown() throws Exception {
    String wrong = "wrong-secret-value-that-must-not-leak-123";
    try (S3Destination d = s3.destination(Map.of("secretAccessKey", wrong))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class,
          () -> d.deliver(Batch.of("p", "exports", "r", records(1, 1, S3Fixture.NOW))));
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.getMessage()).contains("403").contains("s3://" + s3.bucket + "/");
      assertThat(String.valueOf(e)).doesNotContain(wrong).doesNotContain(S3ProxyServer.SECRET_KEY);
      assertThat(d.toString()).doesNotContain(wrong);
      assertThat(d.settings().toString()).doesNotContain(wrong).doesNotContain(S3ProxyServer.ACCESS_KEY);
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong);
      }
    }
  }

  @Test
  void flexibleChecksumsAreSentForS3ToVerify() throws Exception {
    try (S3Destination d = s3.destination(Map.of("checksum", "crc32c", "key", "c/{run}-{part}.{ext}"))) {
      DeliveryResult r = null;
      try {
        r = d.deliver(Batch.of("p", "exports", "r", records(1, 3, S3Fixture.NOW)));
      } catch (DeliveryException e) {
        assertThat(e.isRetryable()).as(e.getMessage()).isFalse();
      }
      S3Fixture.Sent put = s3.recorder.of("PutObject").get(0);
      assertThat(put.header("x-amz-checksum-crc32c")).isNotBlank();
      assertThat(put.header("Content-MD5")).isNull();
      if (r != null) {
        assertThat(r.isSuccess()).isTrue();
      }
    }
  }

  @Test
  void anETagThatIsNotTheMd5OfWhatWasSentFailsRetryably() throws Exception {
    // As if the stored bytes differed from the sent ones: the answer's ETag is rewritten.
    ExecutionInterceptor wrongEtag = new ExecutionInterceptor() {
      @Override
      public software.amazon.awssdk.http.SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context,
          ExecutionAttributes attributes) {
        return context.httpResponse().toBuilder().putHeader("ETag", "\"0123456789abcdef0123456789abcdef\"").build();
      }
    };
    try (S3Destination d = s3.destination(Map.of("key", "m/{run}-{part}.{ext}"), List.of(wrongEtag))) {
      DeliveryException e = catchThrowableOfType(DeliveryException.class,
          () -> d.deliver(Batch.of("p", "exports", "r", records(1, 2, S3Fixture.NOW))));
      assertThat(e.isRetryable()).isTrue();
      assertThat(e.getMessage()).contains("ETag 0123456789abcdef0123456789abcdef").contains("MD5 of what was sent");
    }
  }

  @Test
  void emptyBatchesStoreNothing() throws Exception {
    try (S3Destination d = s3.destination(Map.of("manifest", true))) {
      assertThat(d.deliver(Batch.of("p", "exports", "r", List.of())).isSuccess()).isTrue();
      d.finishRun(new RunInfo("p", "r", S3Fixture.NOW), true);
    }
    assertThat(s3.keys()).isEmpty();
    assertThat(s3.recorder.sent).isEmpty();
  }

  static byte[] concat(byte[]... parts) {
    return Arrays.stream(parts).reduce(new byte[0], (a, b) -> {
      byte[] c = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, c, a.length, b.length);
      return c;
    });
  }

  static DeliveryResult ok() {
    return DeliveryResult.success();
  }
}
