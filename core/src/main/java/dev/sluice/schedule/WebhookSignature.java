package dev.sluice.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a webhook proves it comes from who it claims: a scheme, a shared secret, and where the
 * signature and timestamp travel.
 *
 * <p>Schemes:
 *
 * <ul>
 *   <li>{@link #hmacSha256(String)}: HMAC-SHA256 over the raw body in a configurable header (default
 *       {@code X-Signature}), hex (default) or base64, with an optional prefix such as {@code
 *       sha256=}. With a {@linkplain #withTimestampHeader timestamp header} the signed content is
 *       {@code <timestamp>.<body>} and the timestamp must be within the tolerance.
 *   <li>{@link #github(String)}: {@code X-Hub-Signature-256: sha256=<hex>} over the body; deliveries
 *       are told apart by {@code X-GitHub-Delivery}. GitHub signs no timestamp, so replays are
 *       stopped by the delivery id alone.
 *   <li>{@link #stripe(String)}: {@code Stripe-Signature: t=<unix>,v1=<hex>[,v1=...]} over {@code
 *       <t>.<body>}, 300 s tolerance, any {@code v1} may match (secret rotation); deliveries are told
 *       apart by the event's {@code id}.
 *   <li>{@link #slack(String)}: {@code X-Slack-Signature: v0=<hex>} over {@code v0:<ts>:<body>} with
 *       {@code X-Slack-Request-Timestamp}, 300 s tolerance; deliveries are told apart by {@code
 *       event_id} when the payload has one.
 *   <li>{@link #none()}: no check at all; only for endpoints the host protects itself.
 * </ul>
 *
 * <p>Verification uses the raw body bytes exactly as received (never a re-serialized payload),
 * compares MACs in constant time ({@link MessageDigest#isEqual}) and takes "now" from the injected
 * clock. When neither a delivery-id header nor a delivery-id field is present, the signature
 * itself identifies the delivery: a byte-identical replay carries the same signature.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret; equality includes it.
 */
public final class WebhookSignature {
  /** The signing schemes. */
  public enum Scheme {
    NONE, HMAC_SHA256, GITHUB, STRIPE, SLACK
  }

  /** How the generic scheme writes the MAC. */
  public enum Encoding {
    HEX, BASE64
  }

  /** Slack's and Stripe's documented replay window. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private final Scheme scheme;
  private final byte[] secret;
  private final String header;
  private final Encoding encoding;
  private final String prefix;
  private final String timestampHeader;
  private final Duration tolerance;
  private final String deliveryIdHeader;
  private final String deliveryIdField;

  private WebhookSignature(
      Scheme scheme, byte[] secret, String header, Encoding encoding, String prefix,
      String timestampHeader, Duration tolerance, String deliveryIdHeader, String deliveryIdField) {
    this.scheme = scheme;
    this.secret = secret;
    this.header = header;
    this.encoding = encoding;
    this.prefix = prefix;
    this.timestampHeader = timestampHeader;
    this.tolerance = tolerance;
    this.deliveryIdHeader = deliveryIdHeader;
    this.deliveryIdField = deliveryIdField;
  }

  /** No verification: any request is accepted. Use only behind the host's own authentication. */
  public static WebhookSignature none() {
    return new WebhookSignature(Scheme.NONE, null, null, Encoding.HEX, "", null, DEFAULT_TOLERANCE, null, null);
  }

  /** Generic HMAC-SHA256 over the raw body, hex, in header {@code X-Signature}. */
  public static WebhookSignature hmacSha256(String secret) {
    return new WebhookSignature(Scheme.HMAC_SHA256, key(secret), "X-Signature", Encoding.HEX, "", null,
        DEFAULT_TOLERANCE, null, null);
  }

  /** GitHub's {@code X-Hub-Signature-256}. */
  public static WebhookSignature github(String secret) {
    return new WebhookSignature(Scheme.GITHUB, key(secret), "X-Hub-Signature-256", Encoding.HEX, "sha256=",
        null, DEFAULT_TOLERANCE, "X-GitHub-Delivery", null);
  }

  /** Stripe's {@code Stripe-Signature}, 300 s tolerance. */
  public static WebhookSignature stripe(String secret) {
    return new WebhookSignature(Scheme.STRIPE, key(secret), "Stripe-Signature", Encoding.HEX, "", null,
        DEFAULT_TOLERANCE, null, "/id");
  }

  /** Slack's {@code X-Slack-Signature}, 300 s tolerance. */
  public static WebhookSignature slack(String signingSecret) {
    return new WebhookSignature(Scheme.SLACK, key(signingSecret), "X-Slack-Signature", Encoding.HEX, "v0=",
        "X-Slack-Request-Timestamp", DEFAULT_TOLERANCE, null, "/event_id");
  }

  private static byte[] key(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("webhook signing secret must not be empty");
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  /** The header carrying the signature (generic scheme only). */
  public WebhookSignature withHeader(String value) {
    requireScheme(Scheme.HMAC_SHA256, "header");
    return new WebhookSignature(scheme, secret, headerName(value, "header"), encoding, prefix, timestampHeader,
        tolerance, deliveryIdHeader, deliveryIdField);
  }

  /** How the MAC is written (generic scheme only). */
  public WebhookSignature withEncoding(Encoding value) {
    requireScheme(Scheme.HMAC_SHA256, "encoding");
    return new WebhookSignature(scheme, secret, header, Objects.requireNonNull(value, "encoding"), prefix,
        timestampHeader, tolerance, deliveryIdHeader, deliveryIdField);
  }

  /** Text before the MAC in the header, e.g. {@code sha256=} (generic scheme only). */
  public WebhookSignature withPrefix(String value) {
    requireScheme(Scheme.HMAC_SHA256, "prefix");
    return new WebhookSignature(scheme, secret, header, encoding, Objects.requireNonNull(value, "prefix"),
        timestampHeader, tolerance, deliveryIdHeader, deliveryIdField);
  }

  /**
   * A header with the Unix time in seconds; the signed content becomes {@code <timestamp>.<body>}
   * (generic scheme only).
   */
  public WebhookSignature withTimestampHeader(String value) {
    requireScheme(Scheme.HMAC_SHA256, "timestamp header");
    return new WebhookSignature(scheme, secret, header, encoding, prefix, headerName(value, "timestamp header"),
        tolerance, deliveryIdHeader, deliveryIdField);
  }

  /** How far a signed timestamp may be from now, either way. Default 5 minutes. */
  public WebhookSignature withTolerance(Duration value) {
    if (value == null || value.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("webhook timestamp tolerance must be at least 1s, got " + value);
    }
    return new WebhookSignature(scheme, secret, header, encoding, prefix, timestampHeader, value,
        deliveryIdHeader, deliveryIdField);
  }

  /** A header that names each delivery uniquely, for replay detection. */
  public WebhookSignature withDeliveryIdHeader(String value) {
    return new WebhookSignature(scheme, secret, header, encoding, prefix, timestampHeader, tolerance,
        headerName(value, "delivery id header"), deliveryIdField);
  }

  /**
   * A field of the payload that names each delivery uniquely: a JSON pointer such as {@code /id},
   * or a top-level field name.
   */
  public WebhookSignature withDeliveryIdField(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("delivery id field must not be blank, got '" + value + "'");
    }
    return new WebhookSignature(scheme, secret, header, encoding, prefix, timestampHeader, tolerance,
        deliveryIdHeader, value.startsWith("/") ? value : "/" + value);
  }

  private void requireScheme(Scheme expected, String what) {
    if (scheme != expected) {
      throw new IllegalArgumentException(
          "the " + what + " can only be set for the generic hmac-sha256 scheme, not " + label());
    }
  }

  private static String headerName(String value, String what) {
    if (value == null || !value.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      throw new IllegalArgumentException(what + " must be an HTTP header name, got '" + value + "'");
    }
    return value;
  }

  public Scheme scheme() {
    return scheme;
  }

  /** The lower-case scheme name: {@code none}, {@code hmac-sha256}, {@code github}, ... */
  public String label() {
    return scheme.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The signature header, or empty for {@link Scheme#NONE}. */
  public Optional<String> header() {
    return Optional.ofNullable(header);
  }

  public Encoding encoding() {
    return encoding;
  }

  public String prefix() {
    return prefix;
  }

  /** The timestamp header of the generic and Slack schemes. */
  public Optional<String> timestampHeader() {
    return Optional.ofNullable(timestampHeader);
  }

  public Duration tolerance() {
    return tolerance;
  }

  /** Whether the scheme signs a timestamp, so that {@link #tolerance()} applies. */
  public boolean signsTimestamp() {
    return scheme == Scheme.STRIPE || timestampHeader != null;
  }

  public Optional<String> deliveryIdHeader() {
    return Optional.ofNullable(deliveryIdHeader);
  }

  /** JSON pointer of the delivery id in the payload. */
  public Optional<String> deliveryIdField() {
    return Optional.ofNullable(deliveryIdField);
  }

  // --- verification -----------------------------------------------------------------------------

  /** The outcome of checking one request. Messages are safe to return to the caller. */
  record Verdict(int status, String reason, String message, String signature) {
    static Verdict ok(String signature) {
      return new Verdict(0, "ok", "ok", signature);
    }

    boolean accepted() {
      return status == 0;
    }
  }

  /**
   * Checks one request.
   *
   * @param headers case-insensitive lookup of the first value of a header
   * @return accepted with the verified signature text (null for {@link Scheme#NONE}), or a status
   *     and a reason tag ({@code missing_signature}, {@code malformed}, {@code bad_signature},
   *     {@code stale})
   */
  Verdict verify(Function<String, String> headers, byte[] body, Instant now) {
    if (scheme == Scheme.NONE) {
      return Verdict.ok(null);
    }
    String value = headers.apply(header);
    if (value == null || value.isBlank()) {
      return new Verdict(401, "missing_signature", "missing signature header " + header, null);
    }
    value = value.trim();
    if (scheme == Scheme.STRIPE) {
      return verifyStripe(value, body, now);
    }
    byte[] signed = body;
    if (timestampHeader != null) {
      String ts = headers.apply(timestampHeader);
      if (ts == null || ts.isBlank()) {
        return new Verdict(401, "missing_signature", "missing timestamp header " + timestampHeader, null);
      }
      Verdict stale = checkTimestamp(ts.trim(), now);
      if (stale != null) {
        return stale;
      }
      String head = scheme == Scheme.SLACK ? "v0:" + ts.trim() + ":" : ts.trim() + ".";
      signed = concat(head, body);
    }
    if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return new Verdict(400, "malformed", "signature header " + header + " must start with '" + prefix + "'", null);
    }
    byte[] given = decode(value.substring(prefix.length()), encoding);
    if (given == null) {
      return new Verdict(400, "malformed", "signature in header " + header + " is not valid "
          + encoding.name().toLowerCase(Locale.ROOT), null);
    }
    return MessageDigest.isEqual(mac(signed), given)
        ? Verdict.ok(value)
        : new Verdict(401, "bad_signature", "signature does not match", null);
  }

  private Verdict verifyStripe(String value, byte[] body, Instant now) {
    String timestamp = null;
    List<String> candidates = new ArrayList<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return new Verdict(400, "malformed", "Stripe-Signature must be a list of key=value pairs", null);
      }
      String k = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      if (k.equals("t")) {
        if (timestamp != null) {
          return new Verdict(400, "malformed", "Stripe-Signature has more than one timestamp", null);
        }
        timestamp = v;
      } else if (k.equals("v1")) {
        candidates.add(v);
      }
    }
    if (timestamp == null || candidates.isEmpty()) {
      return new Verdict(400, "malformed", "Stripe-Signature needs t=<timestamp> and at least one v1=<signature>", null);
    }
    Verdict stale = checkTimestamp(timestamp, now);
    if (stale != null) {
      return stale;
    }
    byte[] expected = mac(concat(timestamp + ".", body));
    boolean match = false;
    for (String candidate : candidates) {
      byte[] given = decode(candidate, Encoding.HEX);
      // Check every candidate, so timing does not tell which one matched.
      match |= given != null && MessageDigest.isEqual(expected, given);
    }
    return match ? Verdict.ok(value) : new Verdict(401, "bad_signature", "no v1 signature matches", null);
  }

  private Verdict checkTimestamp(String text, Instant now) {
    long seconds;
    try {
      seconds = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return new Verdict(400, "malformed", "timestamp must be Unix seconds, got '" + abbreviate(text) + "'", null);
    }
    // Subtract as longs: any long parses, but Instant.ofEpochSecond throws beyond +-31.5 billion years.
    long difference;
    try {
      difference = Math.subtractExact(now.getEpochSecond(), seconds);
    } catch (ArithmeticException e) {
      return new Verdict(401, "stale", "timestamp is far from now; tolerance is " + tolerance.toSeconds() + " s", null);
    }
    Duration skew = Duration.ofSeconds(difference, now.getNano()).abs();
    return skew.compareTo(tolerance) > 0
        ? new Verdict(401, "stale", "timestamp is " + skew.toSeconds() + " s away from now; tolerance is "
            + tolerance.toSeconds() + " s", null)
        : null;
  }

  /**
   * The id of a verified delivery for replay detection: the delivery-id header, else the
   * delivery-id field of the payload, else the verified signature; null when there is none.
   */
  String deliveryId(Function<String, String> headers, JsonNode payload, String signature) {
    if (deliveryIdHeader != null) {
      String id = headers.apply(deliveryIdHeader);
      if (id != null && !id.isBlank()) {
        return "header:" + id.trim();
      }
    }
    if (deliveryIdField != null && payload != null) {
      JsonNode id = payload.at(deliveryIdField);
      if (id.isValueNode() && !id.asText().isBlank()) {
        return "field:" + id.asText();
      }
    }
    return signature == null ? null : "signature:" + signature;
  }

  /** The MAC a sender computes for {@code content}; for tests and for hosts that sign themselves. */
  public byte[] mac(byte[] content) {
    if (secret == null) {
      throw new IllegalStateException("webhook scheme none has no secret to sign with");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(content);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static byte[] concat(String head, byte[] body) {
    byte[] h = head.getBytes(StandardCharsets.UTF_8);
    byte[] out = Arrays.copyOf(h, h.length + body.length);
    System.arraycopy(body, 0, out, h.length, body.length);
    return out;
  }

  private static byte[] decode(String text, Encoding encoding) {
    try {
      return encoding == Encoding.HEX ? HexFormat.of().parseHex(text) : Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 20 ? text : text.substring(0, 20) + "...";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WebhookSignature w
        && scheme == w.scheme
        && Arrays.equals(secret, w.secret)
        && Objects.equals(header, w.header)
        && encoding == w.encoding
        && prefix.equals(w.prefix)
        && Objects.equals(timestampHeader, w.timestampHeader)
        && tolerance.equals(w.tolerance)
        && Objects.equals(deliveryIdHeader, w.deliveryIdHeader)
        && Objects.equals(deliveryIdField, w.deliveryIdField);
  }

  @Override
  public int hashCode() {
    // The secret stays out of the hash: equal objects still hash equally, and nothing derived
    // from the secret leaks through hash codes.
    return Objects.hash(scheme, header, encoding, prefix, timestampHeader, tolerance, deliveryIdHeader,
        deliveryIdField);
  }

  /** Scheme and headers; the secret is masked. */
  @Override
  public String toString() {
    return "WebhookSignature{" + label() + (header == null ? "" : ", header=" + header)
        + (secret == null ? "" : ", secret=****") + "}";
  }
}
