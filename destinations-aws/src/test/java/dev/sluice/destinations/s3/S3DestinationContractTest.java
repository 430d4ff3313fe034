package dev.sluice.destinations.s3;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.Destination;
import dev.sluice.testkit.DestinationContract;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The testkit's contract against a real S3 server (S3Proxy, authentication on). A batch delivered
 * twice in one run lands on the same keys, so the bucket holds each record once: {@link
 * Redelivery#DEDUPLICATED}.
 */
class S3DestinationContractTest extends DestinationContract {
  private S3Fixture s3;
  private final ObjectMapper plain = new ObjectMapper();

  @BeforeEach
  void startS3() throws Exception {
    s3 = new S3Fixture();
  }

  @AfterEach
  void stopS3() throws Exception {
    s3.close();
  }

  @Override
  protected Destination createDestination() {
    // No date in the key: keys sort by run, then by position, i.e. in arrival order within a run.
    return s3.destination(Map.of("key", "exports/{pipeline}/{run}-{part}.{ext}", "manifest", true));
  }

  @Override
  protected List<ObjectNode> readBack() throws Exception {
    List<ObjectNode> out = new ArrayList<>();
    for (String key : s3.keys()) {
      if (key.contains("/_manifests/")) {
        continue;
      }
      byte[] body = S3Fixture.gunzip(s3.get(key));
      try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.add((ObjectNode) plain.readTree(line));
        }
      }
    }
    return out;
  }

  @Override
  protected AutoCloseable simulateOutage() throws Exception {
    return s3.server.outage();
  }

  @Override
  protected Redelivery redelivery() {
    return Redelivery.DEDUPLICATED;
  }
}
