package dev.sluice.destinations.s3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.record.Batch;
import dev.sluice.record.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default credentials chain and named profiles, against S3Proxy with authentication on: a
 * delivery succeeds only when the keys came from where the option says.
 */
class S3CredentialSourcesTest {
  @TempDir Path dir;
  private S3Fixture s3;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3Fixture();
  }

  @AfterEach
  void stop() throws Exception {
    s3.close();
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    System.clearProperty("aws.sharedCredentialsFile");
    System.clearProperty("aws.configFile");
  }

  private static Batch batch() {
    return Batch.of("p", "exports", "r", List.of(Record.builder("k", JsonNodeFactory.instance.objectNode().put("a", 1))
        .observedAt(S3Fixture.NOW).build()));
  }

  private Map<String, Object> withoutStaticKeys(Map<String, Object> extra) {
    Map<String, Object> o = new HashMap<>(Map.of("key", "c/{run}-{part}.{ext}"));
    o.putAll(extra);
    return o;
  }

  private S3Destination destinationWithoutKeys(Map<String, Object> extra) {
    Map<String, Object> options = s3.options(withoutStaticKeys(extra));
    options.remove("accessKeyId");
    options.remove("secretAccessKey");
    return s3.destinationWith(List.of(s3.recorder), options);
  }

  @Test
  void theDefaultChainIsUsedWithoutKeyOptions() throws Exception {
    // The chain's first source: the aws.accessKeyId / aws.secretAccessKey system properties.
    System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET_KEY);
    try (S3Destination d = destinationWithoutKeys(Map.of())) {
      assertThat(d.settings().credentials().source()).isEqualTo("default chain");
      assertThat(d.deliver(batch()).isSuccess()).isTrue();
    }
    assertThat(s3.keys()).containsExactly("c/r-0000000000.jsonl.gz");
  }

  @Test
  void aNamedProfileIsRead() throws Exception {
    Path credentials = dir.resolve("credentials");
    Files.writeString(credentials, "[default]\naws_access_key_id = " + S3ProxyServer.testKey("TEST", 16) + "\naws_secret_access_key = wrong\n\n"
        + "[exporter]\naws_access_key_id = " + S3ProxyServer.ACCESS_KEY + "\naws_secret_access_key = "
        + S3ProxyServer.SECRET_KEY + "\n");
    Path config = dir.resolve("config");
    Files.writeString(config, "");
    System.setProperty("aws.sharedCredentialsFile", credentials.toString());
    System.setProperty("aws.configFile", config.toString());
    try (S3Destination d = destinationWithoutKeys(Map.of("profile", "exporter"))) {
      assertThat(d.settings().credentials().source()).isEqualTo("profile 'exporter'");
      assertThat(d.deliver(batch()).isSuccess()).isTrue();
    }
    assertThat(s3.recorder.of("PutObject").get(0).header("Authorization")).contains("Credential=" + S3ProxyServer.ACCESS_KEY);
  }
}
