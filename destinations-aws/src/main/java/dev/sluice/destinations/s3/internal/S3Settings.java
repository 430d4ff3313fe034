package dev.sluice.destinations.s3.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The validated options of one {@code s3} destination. Immutable; {@link #toString()} never shows
 * credentials.
 */
public record S3Settings(
    String bucket,
    KeyTemplate key,
    Format format,
    Compression compression,
    List<String> columns,
    long maxRecordsPerObject,
    long maxBytesPerObject,
    Duration rollInterval,
    boolean manifest,
    KeyTemplate manifestKey,
    long multipartThreshold,
    long multipartPartSize,
    Optional<String> region,
    Optional<URI> endpoint,
    boolean pathStyle,
    Credentials credentials,
    Sse sse,
    Optional<String> kmsKeyId,
    Optional<String> storageClass,
    Map<String, String> tags,
    String contentType,
    Optional<String> contentEncoding,
    Checksum checksum,
    int sdkMaxAttempts,
    Duration requestTimeout) {

  /** S3's smallest part of a multipart upload (all but the last part). */
  public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
  /** S3's largest part. */
  public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;

  /** Object format. */
  public enum Format {
    JSONL("jsonl", "application/x-ndjson"),
    CSV("csv", "text/csv; charset=utf-8");

    final String ext;
    final String contentType;

    Format(String ext, String contentType) {
      this.ext = ext;
      this.contentType = contentType;
    }
  }

  /** Compression of the object body. */
  public enum Compression {
    GZIP(".gz", "gzip"),
    ZSTD(".zst", "zstd"),
    NONE("", null);

    final String suffix;
    final String encoding;

    Compression(String suffix, String encoding) {
      this.suffix = suffix;
      this.encoding = encoding;
    }
  }

  /** Server-side encryption. */
  public enum Sse { NONE, S3, KMS }

  /** Integrity check sent with every upload and verified by the server. */
  public enum Checksum { MD5, CRC32, CRC32C, SHA1, SHA256, NONE }

  /**
   * Where credentials come from. {@code toString()} masks the secret.
   *
   * @param accessKeyId static key id, or null for the profile / default chain
   * @param secretAccessKey static secret, or null
   * @param sessionToken static session token, or null
   * @param profile named profile, or null
   * @param roleArn role to assume with the above (via STS), or null
   */
  public record Credentials(
      String accessKeyId,
      String secretAccessKey,
      String sessionToken,
      String profile,
      String roleArn,
      String roleSessionName,
      String externalId,
      URI stsEndpoint) {

    /** Which base source is used. */
    public String source() {
      return accessKeyId != null ? "static keys" : profile != null ? "profile '" + profile + "'" : "default chain";
    }

    @Override
    public String toString() {
      return "Credentials{" + source() + (roleArn != null ? ", assume role " + roleArn : "") + "}";
    }
  }

  /** The file name extension for objects: {@code jsonl.gz}, {@code csv.zst}, {@code jsonl}. */
  public String ext() {
    return format.ext + compression.suffix;
  }

  public static final String DEFAULT_KEY = "{pipeline}/{date:yyyy/MM/dd}/{run}-{part}.{ext}";
  public static final String DEFAULT_MANIFEST_KEY = "{pipeline}/_manifests/{run}.json";

  /** Reads and checks the options; errors name the destination and the option. */
  public static S3Settings from(PluginConfig c) {
    String owner = c.owner();
    String bucket = c.string("bucket").strip();
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]") || bucket.contains("..")) {
      throw c.invalid("bucket", "an S3 bucket name (3-63 lower-case letters, digits, '.' and '-')",
          c.node("bucket").orElse(null));
    }
    ZoneId zone;
    try {
      zone = ZoneId.of(c.string("zone", "UTC"));
    } catch (DateTimeException e) {
      throw c.invalid("zone", "a time zone id such as UTC or Europe/Berlin", c.node("zone").orElse(null));
    }
    KeyTemplate key;
    KeyTemplate manifestKey;
    try {
      key = KeyTemplate.parse("option 'key'", c.string("key", DEFAULT_KEY), zone, Set.of("run", "part"),
          Set.of("pipeline", "destination", "run", "part", "ext", "date", "field"));
      manifestKey = KeyTemplate.parse("option 'manifestKey'", c.string("manifestKey", DEFAULT_MANIFEST_KEY), zone,
          Set.of("run"), Set.of("pipeline", "destination", "run", "date"));
    } catch (IllegalArgumentException e) {
      throw new PluginConfigException(owner + ": " + e.getMessage());
    }
    Format format = c.enumValue("format", Format.class, Format.JSONL);
    Compression compression = c.enumValue("compression", Compression.class, Compression.GZIP);
    List<String> columns = c.stringList("columns");
    if (!columns.isEmpty() && format != Format.CSV) {
      throw new PluginConfigException(owner + ": option 'columns' applies to format csv only");
    }
    long threshold = c.longValue("multipartThreshold", 16L * 1024 * 1024, MIN_PART_SIZE, MAX_PART_SIZE);
    long partSize = c.longValue("multipartPartSize", 8L * 1024 * 1024, MIN_PART_SIZE, MAX_PART_SIZE);
    if (partSize > threshold) {
      throw new PluginConfigException(owner + ": option 'multipartPartSize' (" + partSize
          + ") must not be larger than 'multipartThreshold' (" + threshold + ")");
    }
    Optional<URI> endpoint = c.optionalString("endpoint").map(s -> {
      try {
        URI u = new URI(s.strip());
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
            || u.getHost() == null || u.getUserInfo() != null) {
          throw new URISyntaxException(s, "not an http(s) URL with a host and no user info");
        }
        return u;
      } catch (URISyntaxException e) {
        throw c.invalid("endpoint", "an http(s) URL such as https://minio.internal:9000", c.node("endpoint").orElse(null));
      }
    });
    Optional<String> region = c.optionalString("region").map(String::strip);
    region.ifPresent(r -> {
      if (!r.matches("[a-z0-9-]{2,32}")) {
        throw c.invalid("region", "a region name such as eu-central-1", c.node("region").orElse(null));
      }
    });

    String accessKeyId = c.has("accessKeyId") ? c.secret("accessKeyId") : null;
    String secretAccessKey = c.has("secretAccessKey") ? c.secret("secretAccessKey") : null;
    String sessionToken = c.has("sessionToken") ? c.secret("sessionToken") : null;
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new PluginConfigException(owner + ": options 'accessKeyId' and 'secretAccessKey' go together"
          + " (write them as ${secret:…})");
    }
    if (sessionToken != null && accessKeyId == null) {
      throw new PluginConfigException(owner + ": option 'sessionToken' needs 'accessKeyId' and 'secretAccessKey'");
    }
    String profile = c.optionalString("profile").map(String::strip).orElse(null);
    if (profile != null && accessKeyId != null) {
      throw new PluginConfigException(owner + ": give either static keys or 'profile', not both");
    }
    String roleArn = c.optionalString("roleArn").map(String::strip).orElse(null);
    if (roleArn != null && !roleArn.matches("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}")) {
      throw c.invalid("roleArn", "an IAM role ARN such as arn:aws:iam::123456789012:role/exporter",
          c.node("roleArn").orElse(null));
    }
    String sessionName = c.string("roleSessionName", "sluice");
    if (!sessionName.matches("[\\w+=,.@-]{2,64}")) {
      throw c.invalid("roleSessionName", "2-64 letters, digits and +=,.@_-", c.node("roleSessionName").orElse(null));
    }
    String externalId = c.has("externalId") ? c.secret("externalId") : null;
    URI stsEndpoint = c.optionalString("stsEndpoint").map(s -> {
      try {
        return new URI(s.strip());
      } catch (URISyntaxException e) {
        throw c.invalid("stsEndpoint", "an http(s) URL", c.node("stsEndpoint").orElse(null));
      }
    }).orElse(null);
    if (roleArn == null && (externalId != null || stsEndpoint != null || c.has("roleSessionName"))) {
      throw new PluginConfigException(owner + ": options 'externalId', 'roleSessionName' and 'stsEndpoint' need 'roleArn'");
    }
    Credentials credentials = new Credentials(accessKeyId, secretAccessKey, sessionToken, profile, roleArn,
        sessionName, externalId, stsEndpoint);

    Sse sse = c.enumValue("serverSideEncryption", Sse.class, Sse.NONE);
    Optional<String> kmsKeyId = c.optionalString("kmsKeyId").map(String::strip);
    if (kmsKeyId.isPresent() && sse != Sse.KMS) {
      throw new PluginConfigException(owner + ": option 'kmsKeyId' needs serverSideEncryption: kms");
    }
    Optional<String> storageClass = c.optionalString("storageClass").map(s -> s.strip().toUpperCase(Locale.ROOT));
    storageClass.ifPresent(s -> {
      if (StorageClass.fromValue(s) == StorageClass.UNKNOWN_TO_SDK_VERSION) {
        throw c.invalid("storageClass", "one of " + StorageClass.knownValues(), c.node("storageClass").orElse(null));
      }
    });
    Map<String, String> tags = new LinkedHashMap<>();
    Optional<JsonNode> tagNode = c.node("tags");
    if (tagNode.isPresent()) {
      JsonNode t = tagNode.get();
      if (!t.isObject()) {
        throw c.invalid("tags", "an object of tag names to values", t);
      }
      for (Map.Entry<String, JsonNode> e : t.properties()) {
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          throw c.invalid("tags", "string tag values", t);
        }
        String k = e.getKey();
        String v = e.getValue().asText();
        if (k.isEmpty() || k.length() > 128 || v.length() > 256 || !k.matches("[\\p{L}\\p{N} +\\-=._:/@]+")
            || !v.matches("[\\p{L}\\p{N} +\\-=._:/@]*")) {
          throw c.invalid("tags", "S3 tags: names of 1-128 and values of 0-256 letters, digits, spaces and + - = . _ : / @", t);
        }
        tags.put(k, v);
      }
      if (tags.size() > 10) {
        throw c.invalid("tags", "at most 10 tags (S3's limit per object)", t);
      }
    }
    String contentType = c.string("contentType", format.contentType);
    Optional<String> contentEncoding = c.has("contentEncoding")
        ? Optional.of(c.string("contentEncoding")).filter(s -> !s.isBlank())
        : Optional.ofNullable(compression.encoding);
    for (String header : new String[] {contentType, contentEncoding.orElse("")}) {
      if (!header.matches("[\\x20-\\x7e]*")) {
        throw new PluginConfigException(owner + ": options 'contentType' and 'contentEncoding' must be printable ASCII");
      }
    }
    return new S3Settings(
        bucket, key, format, compression, columns,
        c.longValue("maxRecordsPerObject", 0, 0, Long.MAX_VALUE),
        c.longValue("maxBytesPerObject", 0, 0, Long.MAX_VALUE),
        c.duration("rollInterval", Duration.ZERO),
        c.bool("manifest", false), manifestKey,
        threshold, partSize, region, endpoint, c.bool("pathStyle", endpoint.isPresent()), credentials,
        sse, kmsKeyId, storageClass, Map.copyOf(tags), contentType, contentEncoding,
        c.enumValue("checksum", Checksum.class, Checksum.MD5),
        c.intValue("sdkMaxAttempts", 3, 1, 10),
        c.duration("requestTimeout", Duration.ofMinutes(5)));
  }

  @Override
  public String toString() {
    return "S3Settings{bucket=" + bucket + ", key=" + key + ", format=" + format + ", compression=" + compression
        + ", endpoint=" + endpoint.map(URI::toString).orElse("aws") + ", region=" + region.orElse("default")
        + ", credentials=" + credentials + ", sse=" + sse + "}";
  }
}
