package dev.sluice.connectors.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A request signer as HMAC-signed APIs want it: {@code X-Timestamp} plus {@code X-Signature =
 * hex(HMAC-SHA256(secret, timestamp \n METHOD \n path?query \n body))}. Registered for the tests in
 * META-INF/services, found by the http connector through ServiceLoader.
 */
public final class TestHmacSignerProvider implements RequestSignerProvider {
  @Override
  public String type() {
    return "test-hmac";
  }

  @Override
  public ObjectNode configSchema() {
    return ConfigSchemas.object().required("secret", ConfigSchemas.secret("HMAC key")).build();
  }

  @Override
  public RequestSigner create(PluginConfig config, PluginContext context) {
    String secret = config.secret("secret");
    return request -> {
      String timestamp = Long.toString(context.clock().instant().getEpochSecond());
      String target = request.uri().getRawPath() + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery());
      return Map.of("X-Timestamp", timestamp,
          "X-Signature", sign(secret, timestamp, request.method(), target, request.body()));
    };
  }

  static String sign(String secret, String timestamp, String method, String target, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((timestamp + "\n" + method + "\n" + target + "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean verify(String secret, ApiStub.Received r, Instant now) {
    String target = r.path() + (r.rawQuery() == null ? "" : "?" + r.rawQuery());
    String expected = sign(secret, r.header("X-Timestamp"), r.method(), target, r.body());
    return expected.equals(r.header("X-Signature")) && Long.parseLong(r.header("X-Timestamp")) == now.getEpochSecond();
  }
}
