package dev.sluice.destinations.s3.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The body of one object, written as a stream and uploaded as it grows: kept in memory up to the
 * multipart threshold, then sent through a multipart upload in parts of the configured size. {@link
 * #finish()} stores the object (a single PUT when it stayed below the threshold); {@link #abort()}
 * (or a failure in either) aborts a multipart upload that was started, so none is left behind.
 *
 * <p>With checksum {@code md5}, every request carries {@code Content-MD5}, which S3 verifies, and
 * the ETag it answers is compared with the digest (unless SSE-KMS, where the ETag is no MD5). Other
 * checksums are computed by the SDK and verified by S3.
 *
 * <p>Not thread-safe: one upload, one thread.
 */
public final class ObjectUpload extends OutputStream {
  private final S3Client s3;
  private final S3Settings settings;
  private final String key;
  private final Map<String, String> metadata;
  private final Logger log;
  private byte[] buffer = new byte[8192];
  private int size;
  private long total;
  private String uploadId;
  private boolean multipart;
  private final List<CompletedPart> parts = new ArrayList<>();
  private boolean done;

  /** What was stored. */
  public record Stored(String key, long bytes, int parts, String etag) {}

  public ObjectUpload(S3Client s3, S3Settings settings, String key, Map<String, String> metadata, Logger log) {
    this.s3 = s3;
    this.settings = settings;
    this.key = key;
    this.metadata = Map.copyOf(metadata);
    this.log = log;
  }

  /** Whether a multipart upload was started (tests and messages). */
  public boolean isMultipart() {
    return multipart;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (done) {
      throw new IOException("upload of " + key + " already finished");
    }
    while (len > 0) {
      int n = Math.min(len, 64 * 1024);
      ensureCapacity(size + n);
      System.arraycopy(b, off, buffer, size, n);
      size += n;
      total += n;
      off += n;
      len -= n;
      if (uploadId == null && size > settings.multipartThreshold()) {
        startMultipart();
      }
      if (uploadId != null) {
        while (size > settings.multipartPartSize()) { // keep at least one byte for the last part
          uploadPart((int) settings.multipartPartSize());
        }
      }
    }
  }

  private void ensureCapacity(int wanted) {
    if (wanted > buffer.length) {
      byte[] bigger = new byte[Math.max(wanted, buffer.length * 2)];
      System.arraycopy(buffer, 0, bigger, 0, size);
      buffer = bigger;
    }
  }

  /** Stores the object; on failure aborts any multipart upload and rethrows. */
  public Stored finish() {
    if (done) {
      throw new IllegalStateException("finished twice: " + key);
    }
    done = true;
    try {
      if (uploadId == null) {
        String md5 = md5(buffer, 0, size);
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(settings.bucket()).key(key)
            .contentLength((long) size);
        headers(put::contentType, put::contentEncoding, put::serverSideEncryption, put::ssekmsKeyId,
            put::storageClass, put::tagging, put::metadata);
        applyChecksum(put::contentMD5, put::checksumAlgorithm, md5);
        PutObjectResponse r = s3.putObject(put.build(), RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, size)));
        verifyEtag(r.eTag(), md5, "object");
        return new Stored(key, total, 1, unquote(r.eTag()));
      }
      uploadPart(size);
      var done = s3.completeMultipartUpload(c -> c.bucket(settings.bucket()).key(key).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      log.debug("stored s3://{}/{} in {} parts", settings.bucket(), key, parts.size());
      return new Stored(key, total, parts.size(), unquote(done.eTag()));
    } catch (RuntimeException e) {
      abortQuietly(e);
      throw e;
    } finally {
      buffer = null;
    }
  }

  /** Gives up: aborts a multipart upload that was started. Idempotent. */
  public void abort() {
    done = true;
    buffer = null;
    abortQuietly(null);
  }

  private void abortQuietly(RuntimeException cause) {
    if (uploadId == null) {
      return;
    }
    String id = uploadId;
    uploadId = null;
    // An interrupted thread (a cancelled run) would fail the abort at once: clear the flag for it.
    boolean interrupted = Thread.interrupted();
    try {
      s3.abortMultipartUpload(a -> a.bucket(settings.bucket()).key(key).uploadId(id));
      log.info("aborted multipart upload {} of s3://{}/{}", id, settings.bucket(), key);
    } catch (RuntimeException e) {
      // Left behind: say which, so an operator (or a lifecycle rule) can remove it.
      log.warn("could not abort multipart upload {} of s3://{}/{}; abort it or add a lifecycle rule"
          + " AbortIncompleteMultipartUpload: {}", id, settings.bucket(), key, e.toString());
      if (cause != null) {
        cause.addSuppressed(e);
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void startMultipart() {
    CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
        .bucket(settings.bucket()).key(key);
    headers(create::contentType, create::contentEncoding, create::serverSideEncryption, create::ssekmsKeyId,
        create::storageClass, create::tagging, create::metadata);
    if (algorithm() != null) {
      create.checksumAlgorithm(algorithm());
    }
    multipart = true;
    uploadId = s3.createMultipartUpload(create.build()).uploadId();
  }

  private void uploadPart(int length) {
    int number = parts.size() + 1;
    String md5 = md5(buffer, 0, length);
    UploadPartRequest.Builder part = UploadPartRequest.builder().bucket(settings.bucket()).key(key)
        .uploadId(uploadId).partNumber(number).contentLength((long) length);
    applyChecksum(part::contentMD5, part::checksumAlgorithm, md5);
    UploadPartResponse r = s3.uploadPart(part.build(), RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, length)));
    verifyEtag(r.eTag(), md5, "part " + number);
    CompletedPart.Builder done = CompletedPart.builder().partNumber(number).eTag(r.eTag());
    if (r.checksumCRC32() != null) {
      done.checksumCRC32(r.checksumCRC32());
    }
    if (r.checksumCRC32C() != null) {
      done.checksumCRC32C(r.checksumCRC32C());
    }
    if (r.checksumSHA1() != null) {
      done.checksumSHA1(r.checksumSHA1());
    }
    if (r.checksumSHA256() != null) {
      done.checksumSHA256(r.checksumSHA256());
    }
    parts.add(done.build());
    System.arraycopy(buffer, length, buffer, 0, size - length);
    size -= length;
  }

  private void headers(Consumer<String> contentType, Consumer<String> contentEncoding,
      Consumer<ServerSideEncryption> sse, Consumer<String> kmsKey, Consumer<String> storageClass,
      Consumer<String> tagging, Consumer<Map<String, String>> meta) {
    contentType.accept(settings.contentType());
    settings.contentEncoding().ifPresent(contentEncoding);
    switch (settings.sse()) {
      case S3 -> sse.accept(ServerSideEncryption.AES256);
      case KMS -> {
        sse.accept(ServerSideEncryption.AWS_KMS);
        settings.kmsKeyId().ifPresent(kmsKey);
      }
      default -> { }
    }
    settings.storageClass().ifPresent(storageClass);
    if (!settings.tags().isEmpty()) {
      tagging.accept(settings.tags().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .map(e -> urlEncode(e.getKey()) + "=" + urlEncode(e.getValue())).collect(Collectors.joining("&")));
    }
    meta.accept(metadata);
  }

  private void applyChecksum(Consumer<String> contentMd5, Consumer<ChecksumAlgorithm> algorithm, String md5) {
    if (settings.checksum() == S3Settings.Checksum.MD5) {
      contentMd5.accept(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5)));
    } else if (algorithm() != null) {
      algorithm.accept(algorithm());
    }
  }

  private ChecksumAlgorithm algorithm() {
    return switch (settings.checksum()) {
      case CRC32 -> ChecksumAlgorithm.CRC32;
      case CRC32C -> ChecksumAlgorithm.CRC32_C;
      case SHA1 -> ChecksumAlgorithm.SHA1;
      case SHA256 -> ChecksumAlgorithm.SHA256;
      default -> null;
    };
  }

  private void verifyEtag(String etag, String md5, String what) {
    if (settings.checksum() != S3Settings.Checksum.MD5 || settings.sse() == S3Settings.Sse.KMS || etag == null) {
      return;
    }
    String e = unquote(etag).toLowerCase(Locale.ROOT);
    if (e.matches("[0-9a-f]{32}") && !e.equals(md5)) {
      throw new ChecksumMismatchException("S3 stored " + what + " of s3://" + settings.bucket() + "/" + key
          + " with ETag " + e + " but the MD5 of what was sent is " + md5);
    }
  }

  private static String unquote(String etag) {
    return etag == null ? null : etag.replace("\"", "");
  }

  private static String md5(byte[] b, int off, int len) {
    try {
      MessageDigest d = MessageDigest.getInstance("MD5");
      d.update(b, off, len);
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String urlEncode(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** What S3 stored is not what was sent: worth another try. */
  public static final class ChecksumMismatchException extends java.io.UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public ChecksumMismatchException(String message) {
      super(message, new IOException(message));
    }
  }
}
