package dev.sluice.schedule;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.internal.HmacSha256;
import java.nio.charset.StandardCharsets;
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
 *   <li>{@link #standard(String)}: <a href="https://www.standardwebhooks.com/">Standard Webhooks</a>:
 *       {@code webhook-id}, {@code webhook-timestamp} (Unix seconds, 300 s tolerance) and {@code
 *       webhook-signature: v1,<base64>[ v1,<base64>...]} over {@code <id>.<timestamp>.<body>} with
 *       a {@code whsec_<base64>} secret; any {@code v1} may match (key rotation). What the {@code
 *       webhook} destination sends with {@code signatureScheme: standard}.
 *   <li>{@link #github(String)}: {@code X-Hub-Signature-256: sha256=<hex>} over the body. GitHub
 *       signs no timestamp, so a captured delivery stays valid forever: replays are refused only
 *       while the trigger's replay window remembers the delivery (see below).
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
 * compares MACs in constant time and takes "now" from the injected clock.
 *
 * <p>Replays are recognised by something the signature covers, never by an unsigned header alone
 * (an attacker who captured a request can change any header the signature does not cover): the
 * {@code webhook-id} of Standard Webhooks; else the {@linkplain #withDeliveryIdField delivery-id
 * field} of the signed body (Stripe's event {@code id}, Slack's {@code event_id}); else the MAC of
 * the signed content (body, with the timestamp where one is signed), as computed here, so that
 * re-encoding the signature (upper-case hex, extra {@code v1} entries) makes no new delivery. A
 * {@linkplain #withDeliveryIdHeader delivery-id header} is remembered as well where a timestamp is
 * signed, so that an honest sender's retry with a fresh timestamp counts as a duplicate, but a
 * request is never new just because its delivery-id header is. (GitHub's {@code
 * X-GitHub-Delivery} adds nothing: its redeliveries are byte-identical, so their MAC matches.)
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret; equality includes it.
 */
public final class WebhookSignature {
  /** The signing schemes. */
  public enum Scheme {
    /** No verification ({@link #none()}). */
    NONE,
    /** Generic HMAC-SHA256 ({@link #hmacSha256(String)}). */
    HMAC_SHA256,
    /** GitHub's {@code X-Hub-Signature-256} ({@link #github(String)}). */
    GITHUB,
    /** Stripe's {@code Stripe-Signature} ({@link #stripe(String)}). */
    STRIPE,
    /** Slack's {@code X-Slack-Signature} ({@link #slack(String)}). */
    SLACK,
    /** Standard Webhooks ({@link #standard(String)}). */
    STANDARD
  }

  /** How the generic scheme writes the MAC. */
  public enum Encoding {
    /** Hexadecimal, either case accepted. */
    HEX,
    /** Standard base64. */
    BASE64
  }

  /** Slack's, Stripe's and Standard Webhooks' documented replay window. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
  /** The prefix of Standard Webhooks secrets: {@code whsec_<base64 of the key>}. */
  public static final String STANDARD_SECRET_PREFIX = "whsec_";
  static final String STANDARD_ID = "webhook-id";
  static final String STANDARD_TIMESTAMP = "webhook-timestamp";
  static final String STANDARD_SIGNATURE = "webhook-signature";

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

  /**
   * No verification: any request is accepted. Use only behind the host's own authentication.
   *
   * @return the scheme {@link Scheme#NONE}
   */
  public static WebhookSignature none() {
    return new WebhookSignature(Scheme.NONE, null, null, Encoding.HEX, "", null, DEFAULT_TOLERANCE, null, null);
  }

  /**
   * Generic HMAC-SHA256 over the raw body, hex, in header {@code X-Signature}.
   *
   * @param secret the shared secret, used as its UTF-8 bytes; not empty
   * @return the signature; refine it with the {@code with...} methods
   * @throws IllegalArgumentException when {@code secret} is null or empty
   */
  public static WebhookSignature hmacSha256(String secret) {
    return new WebhookSignature(Scheme.HMAC_SHA256, key(secret), "X-Signature", Encoding.HEX, "", null,
        DEFAULT_TOLERANCE, null, null);
  }

  /**
   * GitHub's {@code X-Hub-Signature-256}.
   *
   * @param secret the webhook's secret, as entered in GitHub; not empty
   * @return the signature
   * @throws IllegalArgumentException when {@code secret} is null or empty
   */
  public static WebhookSignature github(String secret) {
    return new WebhookSignature(Scheme.GITHUB, key(secret), "X-Hub-Signature-256", Encoding.HEX, "sha256=",
        null, DEFAULT_TOLERANCE, "X-GitHub-Delivery", null);
  }

  /**
   * Stripe's {@code Stripe-Signature}, 300 s tolerance.
   *
   * @param secret the endpoint's signing secret ({@code whsec_...}), used as its UTF-8 bytes
   * @return the signature
   * @throws IllegalArgumentException when {@code secret} is null or empty
   */
  public static WebhookSignature stripe(String secret) {
    return new WebhookSignature(Scheme.STRIPE, key(secret), "Stripe-Signature", Encoding.HEX, "", null,
        DEFAULT_TOLERANCE, null, "/id");
  }

  /**
   * Slack's {@code X-Slack-Signature}, 300 s tolerance.
   *
   * @param signingSecret the Slack app's signing secret; not empty
   * @return the signature
   * @throws IllegalArgumentException when {@code signingSecret} is null or empty
   */
  public static WebhookSignature slack(String signingSecret) {
    return new WebhookSignature(Scheme.SLACK, key(signingSecret), "X-Slack-Signature", Encoding.HEX, "v0=",
        "X-Slack-Request-Timestamp", DEFAULT_TOLERANCE, null, "/event_id");
  }

  /**
   * Standard Webhooks ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature}),
   * 300 s tolerance.
   *
   * @param secret {@code whsec_} followed by the base64 of the key, as Standard Webhooks senders
   *     show it; the base64 alone is accepted too
   * @return the signature
   * @throws IllegalArgumentException when it is not of that form (the message does not show it)
   */
  public static WebhookSignature standard(String secret) {
    return new WebhookSignature(Scheme.STANDARD, standardKey(secret), STANDARD_SIGNATURE, Encoding.BASE64, "",
        STANDARD_TIMESTAMP, DEFAULT_TOLERANCE, STANDARD_ID, null);
  }

  /**
   * The key of a Standard Webhooks secret: the bytes that {@code whsec_<base64>} encodes.
   *
   * @param secret {@code whsec_<base64>}, or the base64 alone
   * @return the decoded key, a new array
   * @throws IllegalArgumentException when {@code secret} is not of that form (the message does
   *     not show it)
   */
  public static byte[] standardKey(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("webhook signing secret must not be empty");
    }
    String encoded = secret.startsWith(STANDARD_SECRET_PREFIX) ? secret.substring(STANDARD_SECRET_PREFIX.length()) : secret;
    byte[] key = decode(encoded, Encoding.BASE64);
    if (key == null || key.length == 0) {
      throw new IllegalArgumentException("a Standard Webhooks secret is whsec_ followed by the base64 of the key"
          + " (value hidden)");
    }
    return key;
  }

  private static byte[] key(String secret) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("webhook signing secret must not be empty");
    }
    return secret.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The header carrying the signature (generic scheme only).
   *
   * @param value an HTTP header name
   * @return a copy with that header
   * @throws IllegalArgumentException when {@code value} is not a header name or the scheme is not
   *     {@link Scheme#HMAC_SHA256}
   */
  public WebhookSignature withHeader(String value) {
    requireScheme(Scheme.HMAC_SHA256, "header");
    return new WebhookSignature(scheme, secret, headerName(value, "header"), encoding, prefix, timestampHeader,
        tolerance, deliveryIdHeader, deliveryIdField);
  }

  /**
   * How the MAC is written (generic scheme only).
   *
   * @param value the encoding, not null
   * @return a copy with that encoding
   * @throws IllegalArgumentException when the scheme is not {@link Scheme#HMAC_SHA256}
   */
  public WebhookSignature withEncoding(Encoding value) {
    requireScheme(Scheme.HMAC_SHA256, "encoding");
    return new WebhookSignature(scheme, secret, header, Objects.requireNonNull(value, "encoding"), prefix,
        timestampHeader, tolerance, deliveryIdHeader, deliveryIdField);
  }

  /**
   * Text before the MAC in the header, e.g. {@code sha256=} (generic scheme only).
   *
   * @param value the prefix, not null; empty for none
   * @return a copy with that prefix
   * @throws IllegalArgumentException when the scheme is not {@link Scheme#HMAC_SHA256}
   */
  public WebhookSignature withPrefix(String value) {
    requireScheme(Scheme.HMAC_SHA256, "prefix");
    return new WebhookSignature(scheme, secret, header, encoding, Objects.requireNonNull(value, "prefix"),
        timestampHeader, tolerance, deliveryIdHeader, deliveryIdField);
  }

  /**
   * A header with the Unix time in seconds; the signed content becomes {@code <timestamp>.<body>}
   * (generic scheme only).
   *
   * @param value an HTTP header name
   * @return a copy that signs and checks a timestamp
   * @throws IllegalArgumentException when {@code value} is not a header name or the scheme is not
   *     {@link Scheme#HMAC_SHA256}
   */
  public WebhookSignature withTimestampHeader(String value) {
    requireScheme(Scheme.HMAC_SHA256, "timestamp header");
    return new WebhookSignature(scheme, secret, header, encoding, prefix, headerName(value, "timestamp header"),
        tolerance, deliveryIdHeader, deliveryIdField);
  }

  /**
   * How far a signed timestamp may be from now, either way. Default 5 minutes.
   *
   * @param value the tolerance, at least one second
   * @return a copy with that tolerance
   * @throws IllegalArgumentException when {@code value} is null or under one second
   */
  public WebhookSignature withTolerance(Duration value) {
    if (value == null || value.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("webhook timestamp tolerance must be at least 1s, got " + value);
    }
    return new WebhookSignature(scheme, secret, header, encoding, prefix, timestampHeader, value,
        deliveryIdHeader, deliveryIdField);
  }

  /**
   * A header that names each delivery uniquely, for replay detection.
   *
   * @param value an HTTP header name, e.g. {@code X-GitHub-Delivery}
   * @return a copy with that header
   * @throws IllegalArgumentException when {@code value} is not a header name
   */
  public WebhookSignature withDeliveryIdHeader(String value) {
    return new WebhookSignature(scheme, secret, header, encoding, prefix, timestampHeader, tolerance,
        headerName(value, "delivery id header"), deliveryIdField);
  }

  /**
   * A field of the payload that names each delivery uniquely: a JSON pointer such as {@code /id},
   * or a top-level field name.
   *
   * @param value a JSON pointer ({@code /id}) or a top-level field name ({@code event_id})
   * @return a copy with that field
   * @throws IllegalArgumentException when {@code value} is null or blank
   */
  public WebhookSignature withDeliveryIdField(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("delivery id field must not be blank, got '" + value + "'");
    }
    String pointer = value.startsWith("/") ? value : "/" + value;
    try {
      JsonPointer.compile(pointer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("delivery id field must be a JSON pointer such as /data/id, got '" + value
          + "': " + e.getMessage());
    }
    return new WebhookSignature(scheme, secret, header, encoding, prefix, timestampHeader, tolerance,
        deliveryIdHeader, pointer);
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

  /**
   * The signing scheme.
   *
   * @return the scheme, never null
   */
  public Scheme scheme() {
    return scheme;
  }

  /**
   * The lower-case scheme name: {@code none}, {@code hmac-sha256}, {@code github}, ...
   *
   * @return the scheme's label, as used in configuration
   */
  public String label() {
    return scheme.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The signature header, or empty for {@link Scheme#NONE}.
   *
   * @return the header name, as configured (header lookups are case-insensitive)
   */
  public Optional<String> header() {
    return Optional.ofNullable(header);
  }

  /**
   * How the MAC is written in the header.
   *
   * @return {@link Encoding#BASE64} for Standard Webhooks, else hex unless configured otherwise
   */
  public Encoding encoding() {
    return encoding;
  }

  /**
   * The text before the MAC in the signature header.
   *
   * @return the prefix, e.g. {@code sha256=} for GitHub; empty for none
   */
  public String prefix() {
    return prefix;
  }

  /**
   * The timestamp header of the generic, Slack and Standard Webhooks schemes.
   *
   * @return the header name, or empty when no timestamp header is read (Stripe's timestamp travels
   *     in its signature header)
   */
  public Optional<String> timestampHeader() {
    return Optional.ofNullable(timestampHeader);
  }

  /**
   * How far a signed timestamp may be from now, either way.
   *
   * @return the tolerance; {@link #DEFAULT_TOLERANCE} unless configured
   */
  public Duration tolerance() {
    return tolerance;
  }

  /**
   * Whether the scheme signs a timestamp, so that {@link #tolerance()} applies.
   *
   * @return true for Stripe, Slack, Standard Webhooks and the generic scheme with a timestamp
   *     header
   */
  public boolean signsTimestamp() {
    return scheme == Scheme.STRIPE || timestampHeader != null;
  }

  /**
   * Whether every replay key of this scheme is bound to a signed timestamp: then a replay older
   * than the {@link #tolerance()} is refused as stale whether or not its key is still remembered.
   *
   * @return true when a stale replay is refused by its timestamp alone
   */
  public boolean replaysExpireWithTolerance() {
    return signsTimestamp();
  }

  /**
   * The header that names each delivery uniquely, used as an extra replay key (see the class
   * comment).
   *
   * @return the header name, or empty when none is configured
   */
  public Optional<String> deliveryIdHeader() {
    return Optional.ofNullable(deliveryIdHeader);
  }

  /**
   * JSON pointer of the delivery id in the payload.
   *
   * @return the pointer, or empty when none is configured
   */
  public Optional<String> deliveryIdField() {
    return Optional.ofNullable(deliveryIdField);
  }

  // --- verification -----------------------------------------------------------------------------

  /**
   * The outcome of checking one request. Messages are safe to return to the caller.
   *
   * @param status 0 when accepted, else the HTTP status to answer (400 or 401)
   * @param reason a short tag: {@code ok}, {@code missing_signature}, {@code malformed}, {@code
   *     bad_signature}, {@code stale}
   * @param message what was wrong, without secrets or signature values
   * @param signedKey on acceptance, what identifies the signed content for replay detection (the
   *     MAC computed here, or a signed id); null for {@link Scheme#NONE} and refusals
   */
  public record Verdict(int status, String reason, String message, String signedKey) {
    static Verdict ok(String signedKey) {
      return new Verdict(0, "ok", "ok", signedKey);
    }

    static Verdict refused(int status, String reason, String message) {
      return new Verdict(status, reason, message, null);
    }

    /**
     * Whether the request passed the check.
     *
     * @return true when {@link #status()} is 0
     */
    public boolean accepted() {
      return status == 0;
    }
  }

  /**
   * Checks one request: the signature over the raw body (and timestamp, where the scheme signs
   * one), and the timestamp against the tolerance. Never throws on malformed input: it is a
   * refusal. Does not check replays: that is the caller's job, keyed on the verdict's {@code
   * signedKey}.
   *
   * @param headers case-insensitive lookup of the first value of a header
   * @param body the raw request body, exactly as received
   * @param now the current time, from the injected clock
   * @return accepted with the signed replay key (null for {@link Scheme#NONE}), or a status
   *     and a reason tag ({@code missing_signature}, {@code malformed}, {@code bad_signature},
   *     {@code stale})
   */
  public Verdict verify(Function<String, String> headers, byte[] body, Instant now) {
    if (scheme == Scheme.NONE) {
      return Verdict.ok(null);
    }
    String value = headers.apply(header);
    if (value == null || value.isBlank()) {
      return Verdict.refused(401, "missing_signature", "missing signature header " + header);
    }
    value = value.trim();
    if (scheme == Scheme.STRIPE) {
      return verifyStripe(value, body, now);
    }
    String id = null;
    if (scheme == Scheme.STANDARD) {
      id = headers.apply(STANDARD_ID);
      if (id == null || id.isBlank()) {
        return Verdict.refused(401, "missing_signature", "missing header " + STANDARD_ID);
      }
      id = id.trim();
    }
    String head = "";
    if (timestampHeader != null) {
      String ts = headers.apply(timestampHeader);
      if (ts == null || ts.isBlank()) {
        return Verdict.refused(401, "missing_signature", "missing timestamp header " + timestampHeader);
      }
      ts = ts.trim();
      Verdict stale = checkTimestamp(ts, now);
      if (stale != null) {
        return stale;
      }
      head = switch (scheme) {
        case SLACK -> "v0:" + ts + ":";
        case STANDARD -> id + "." + ts + ".";
        default -> ts + ".";
      };
    }
    byte[] expected = mac(concat(head, body));
    if (scheme == Scheme.STANDARD) {
      return verifyStandard(value, expected, id);
    }
    if (!value.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return Verdict.refused(400, "malformed", "signature header " + header + " must start with '" + prefix + "'");
    }
    byte[] given = decode(value.substring(prefix.length()), encoding);
    if (given == null) {
      return Verdict.refused(400, "malformed", "signature in header " + header + " is not valid "
          + encoding.name().toLowerCase(Locale.ROOT));
    }
    return HmacSha256.matches(expected, given)
        ? Verdict.ok(macKey(expected))
        : Verdict.refused(401, "bad_signature", "signature does not match");
  }

  /** {@code v1,<base64>} entries separated by spaces; other versions are ignored. */
  private static Verdict verifyStandard(String value, byte[] expected, String id) {
    boolean any = false;
    boolean match = false;
    for (String entry : value.split(" ")) {
      int comma = entry.indexOf(',');
      if (comma > 0 && entry.substring(0, comma).equals("v1")) {
        any = true;
        // Check every entry, so timing does not tell which one matched.
        match |= HmacSha256.matches(expected, decode(entry.substring(comma + 1), Encoding.BASE64));
      }
    }
    if (!any) {
      return Verdict.refused(400, "malformed", STANDARD_SIGNATURE + " needs at least one v1,<base64 signature>");
    }
    return match ? Verdict.ok("id:" + id) : Verdict.refused(401, "bad_signature", "no v1 signature matches");
  }

  private Verdict verifyStripe(String value, byte[] body, Instant now) {
    String timestamp = null;
    List<String> candidates = new ArrayList<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return Verdict.refused(400, "malformed", "Stripe-Signature must be a list of key=value pairs");
      }
      String k = part.substring(0, eq).trim();
      String v = part.substring(eq + 1).trim();
      if (k.equals("t")) {
        if (timestamp != null) {
          return Verdict.refused(400, "malformed", "Stripe-Signature has more than one timestamp");
        }
        timestamp = v;
      } else if (k.equals("v1")) {
        candidates.add(v);
      }
    }
    if (timestamp == null || candidates.isEmpty()) {
      return Verdict.refused(400, "malformed", "Stripe-Signature needs t=<timestamp> and at least one v1=<signature>");
    }
    Verdict stale = checkTimestamp(timestamp, now);
    if (stale != null) {
      return stale;
    }
    byte[] expected = mac(concat(timestamp + ".", body));
    boolean match = false;
    for (String candidate : candidates) {
      // Check every candidate, so timing does not tell which one matched.
      match |= HmacSha256.matches(expected, decode(candidate, Encoding.HEX));
    }
    return match ? Verdict.ok(macKey(expected)) : Verdict.refused(401, "bad_signature", "no v1 signature matches");
  }

  private static String macKey(byte[] mac) {
    return "mac:" + HexFormat.of().formatHex(mac);
  }

  private Verdict checkTimestamp(String text, Instant now) {
    long seconds;
    try {
      seconds = Long.parseLong(text);
    } catch (NumberFormatException e) {
      return Verdict.refused(400, "malformed", "timestamp must be Unix seconds, got '" + abbreviate(text) + "'");
    }
    // Subtract as longs: any long parses, but Instant.ofEpochSecond throws beyond +-31.5 billion years.
    long difference;
    try {
      difference = Math.subtractExact(now.getEpochSecond(), seconds);
    } catch (ArithmeticException e) {
      return Verdict.refused(401, "stale", "timestamp is far from now; tolerance is " + tolerance.toSeconds() + " s");
    }
    Duration skew = Duration.ofSeconds(difference, now.getNano()).abs();
    return skew.compareTo(tolerance) > 0
        ? Verdict.refused(401, "stale", "timestamp is " + skew.toSeconds() + " s away from now; tolerance is "
            + tolerance.toSeconds() + " s")
        : null;
  }

  /**
   * The keys under which a verified delivery is remembered against replays, most trusted first:
   * the signed key ({@code webhook-id} of Standard Webhooks, else the delivery-id field of the
   * signed payload, else the verdict's MAC), then the delivery-id header when configured, present
   * and the scheme signs a timestamp. The header comes second and is only ever an extra key: it
   * lets an honest sender's re-signed retry (new timestamp, so new MAC) count as a duplicate, while
   * a replay with a new header value is still caught by the signed key. Empty for {@link
   * Scheme#NONE} without delivery ids.
   * @param headers case-insensitive lookup of the first value of a header
   * @param payload the parsed body, or null when it is not JSON
   * @param verdict an accepted verdict of {@link #verify} for the same request
   * @return the keys, most trusted first; may be empty, never null
   */
  public List<String> replayKeys(Function<String, String> headers, JsonNode payload, Verdict verdict) {
    List<String> keys = new ArrayList<>(2);
    String signed = verdict.signedKey();
    // The field is inside the signed body (with scheme none, as trustworthy as the host's own protection).
    if ((signed == null || signed.startsWith("mac:")) && deliveryIdField != null && payload != null) {
      JsonNode id = payload.at(deliveryIdField);
      if (id.isValueNode() && !id.asText().isBlank()) {
        signed = "field:" + id.asText();
      }
    }
    if (signed != null) {
      keys.add(signed);
    }
    // Without a signed timestamp an honest retry is byte-identical, so the MAC already catches it.
    if (deliveryIdHeader != null && scheme != Scheme.STANDARD && signsTimestamp()) {
      String id = headers.apply(deliveryIdHeader);
      if (id != null && !id.isBlank()) {
        keys.add("header:" + id.trim());
      }
    }
    return keys;
  }

  /**
   * The MAC a sender computes for {@code content}; for tests and for hosts that sign themselves.
   *
   * @param content what the scheme signs: the body, or e.g. {@code <timestamp>.<body>}
   * @return the raw MAC bytes, to be encoded as the scheme writes them
   * @throws IllegalStateException for {@link Scheme#NONE}, which has no secret
   */
  public byte[] mac(byte[] content) {
    if (secret == null) {
      throw new IllegalStateException("webhook scheme none has no secret to sign with");
    }
    return HmacSha256.mac(secret, content);
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
