package dev.sluice.destinations.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.spi.ConnectionCheckResult;
import dev.sluice.spi.ConnectionCheckResult.Status;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The S3 destination's connection check (HeadBucket) against a real S3Proxy. */
class S3ConnectionCheckTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private S3Fixture s3;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Fixture();
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
  }

  @Test
  void anExistingBucketWithGoodKeysIsOkAndNothingIsWritten() throws Exception {
    try (S3Destination d = s3.destination(Map.of())) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).as(r.message()).isEqualTo(Status.OK);
      assertThat(r.message()).contains(s3.bucket);
      assertThat(r.details()).containsEntry("bucket", s3.bucket);
    }
    assertThat(s3.keys()).isEmpty();
  }

  @Test
  void aMissingBucketFailsNamingIt() throws Exception {
    try (S3Destination d = s3.destination(Map.of("bucket", "sluice-no-such-bucket"))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("s3://sluice-no-such-bucket").contains("does not exist");
    }
  }

  @Test
  void aWrongSecretKeyFailsWithoutShowingIt() throws Exception {
    byte[] b = new byte[20];
    new SecureRandom().nextBytes(b);
    String wrong = HexFormat.of().formatHex(b);
    try (S3Destination d = s3.destination(Map.of("secretAccessKey", wrong))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains(s3.bucket).contains("403").doesNotContain(wrong)
          .doesNotContain(S3ProxyServer.ACCESS_KEY);
    }
  }

  @Test
  void anUnreachableEndpointFailsNamingIt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    try (S3Destination d = s3.destination(Map.of("endpoint", "http://127.0.0.1:" + closed))) {
      ConnectionCheckResult r = d.checkConnection(TIMEOUT);
      assertThat(r.status()).isEqualTo(Status.FAILED);
      assertThat(r.message()).contains("127.0.0.1:" + closed).doesNotContain(S3ProxyServer.SECRET_KEY);
    }
  }
}
