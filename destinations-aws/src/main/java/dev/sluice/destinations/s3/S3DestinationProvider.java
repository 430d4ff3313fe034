package dev.sluice.destinations.s3;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.destinations.s3.internal.S3Clients;
import dev.sluice.destinations.s3.internal.S3Destination;
import dev.sluice.destinations.s3.internal.S3Settings;
import dev.sluice.spi.ConfigSchemas;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import dev.sluice.spi.PluginContext;
import java.util.List;

/**
 * The {@code s3} destination: writes batches as JSON Lines or CSV objects (gzip, zstd or
 * uncompressed) to Amazon S3 or an S3-compatible store (MinIO, Ceph, R2), with keys from a
 * template that records can't steer out of its prefix, deterministic names so that a retried or
 * replayed batch overwrites instead of duplicating, multipart uploads for large objects (aborted on
 * failure), an optional manifest per run, server-side encryption, storage class, tags and
 * integrity checksums. See {@code docs/user-guide/destinations.md (section s3)} for every option.
 *
 * <p>Stateless and thread-safe; {@link #create} does no I/O (the first delivery connects).
 */
public final class S3DestinationProvider implements DestinationProvider {

  /** Public no-arg constructor for {@link java.util.ServiceLoader}. */
  public S3DestinationProvider() {}

  @Override
  public String type() {
    return "s3";
  }

  @Override
  public String description() {
    return "writes batches as JSON Lines or CSV objects (gzip/zstd) to Amazon S3 or an S3-compatible store";
  }

  @Override
  public ObjectNode configSchema() {
    ObjectNode tags = JsonNodeFactory.instance.objectNode()
        .put("type", "object").put("description", "Object tags (at most 10).");
    tags.putObject("additionalProperties").put("type", "string");
    return ConfigSchemas.object()
        .description("Amazon S3 or an S3-compatible object store.")
        .required("bucket", ConfigSchemas.string("The bucket."))
        .optional("key", ConfigSchemas.string("Object key template; must hold {run} and {part}. Placeholders:"
            + " {pipeline} {destination} {run} {part} {ext} {date} {date:PATTERN} {field:PATH}.", S3Settings.DEFAULT_KEY))
        .optional("format", ConfigSchemas.enumOf("Object format.", "jsonl", "csv"))
        .optional("compression", ConfigSchemas.enumOf("Compression of objects (default gzip).", "gzip", "zstd", "none"))
        .optional("columns", ConfigSchemas.stringList("CSV columns (top-level fields); default: every field of the object's records."))
        .optional("zone", ConfigSchemas.string("Time zone of {date}.", "UTC"))
        .optional("maxRecordsPerObject", ConfigSchemas.integer("Start a new object after this many records (0: no limit).", 0, 0))
        .optional("maxBytesPerObject", ConfigSchemas.integer("Start a new object before this many uncompressed bytes (0: no limit).", 0, 0))
        .optional("rollInterval", ConfigSchemas.duration("Start a new object when the records' observation time enters a new window of this length (e.g. 1h).", null))
        .optional("manifest", ConfigSchemas.bool("Store a JSON manifest listing each run's objects when the run ends.", false))
        .optional("manifestKey", ConfigSchemas.string("Manifest key template; must hold {run}.", S3Settings.DEFAULT_MANIFEST_KEY))
        .optional("multipartThreshold", ConfigSchemas.integer("Objects larger than this many bytes go through a multipart upload.", 16L * 1024 * 1024, S3Settings.MIN_PART_SIZE))
        .optional("multipartPartSize", ConfigSchemas.integer("Part size of multipart uploads (S3: at least 5 MiB).", 8L * 1024 * 1024, S3Settings.MIN_PART_SIZE))
        .optional("region", ConfigSchemas.string("AWS region, e.g. eu-central-1; default: the SDK's region chain (us-east-1 with an endpoint)."))
        .optional("endpoint", ConfigSchemas.string("Endpoint of an S3-compatible store, e.g. https://minio.internal:9000."))
        .optional("pathStyle", JsonNodeFactory.instance.objectNode().put("type", "boolean").put("description",
            "Path-style requests (bucket in the path); default: true when endpoint is set, else false."))
        .optional("accessKeyId", ConfigSchemas.secret("Static access key id; write ${secret:…}. Default: the SDK's default credentials chain."))
        .optional("secretAccessKey", ConfigSchemas.secret("Static secret access key; write ${secret:…}."))
        .optional("sessionToken", ConfigSchemas.secret("Session token of temporary static credentials."))
        .optional("profile", ConfigSchemas.string("Named profile of ~/.aws/credentials and ~/.aws/config."))
        .optional("roleArn", ConfigSchemas.string("IAM role to assume (STS AssumeRole) with the credentials above."))
        .optional("roleSessionName", ConfigSchemas.string("Session name of the assumed role.", "sluice"))
        .optional("externalId", ConfigSchemas.secret("External id the role's trust policy requires."))
        .optional("stsEndpoint", ConfigSchemas.string("STS endpoint override (private endpoints, tests)."))
        .optional("serverSideEncryption", ConfigSchemas.enumOf("Server-side encryption: none, s3 (SSE-S3, AES256) or kms (SSE-KMS).", "none", "s3", "kms"))
        .optional("kmsKeyId", ConfigSchemas.string("KMS key id or ARN for serverSideEncryption: kms; default: the bucket's AWS managed key."))
        .optional("storageClass", ConfigSchemas.string("Storage class, e.g. STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR."))
        .optional("tags", tags)
        .optional("contentType", ConfigSchemas.string("Content-Type; default application/x-ndjson or text/csv; charset=utf-8."))
        .optional("contentEncoding", ConfigSchemas.string("Content-Encoding; default gzip / zstd when compressed; empty for none."))
        .optional("checksum", ConfigSchemas.enumOf("Integrity check S3 verifies on every upload (default md5).", "md5", "crc32", "crc32c", "sha1", "sha256", "none"))
        .optional("sdkMaxAttempts", ConfigSchemas.integer("Attempts per request inside the SDK before the engine's own retries.", 3, 1))
        .optional("requestTimeout", ConfigSchemas.duration("Timeout of one HTTP request.", "5m"))
        .build();
  }

  @Override
  public Destination create(PluginConfig config, PluginContext context) {
    S3Settings settings = S3Settings.from(config);
    S3Clients.Built client;
    try {
      client = S3Clients.create(settings, List.of());
    } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
      // Typically: no region given and none in AWS_REGION, the profile or instance metadata.
      throw new dev.sluice.spi.PluginConfigException(config.owner() + ": the S3 client can't be built: "
          + e.getMessage() + " (set option 'region')", e);
    }
    return new S3Destination(context.name(), settings, client.s3(), client.closeables(), context.objectMapper(),
        context.clock(), context.logger(), context.meterRegistry());
  }
}
