package dev.sluice.destinations.s3.internal;

import dev.sluice.spi.DeliveryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns what the SDK threw into a {@link DeliveryException} that says whether a retry may help and
 * names the bucket and key.
 *
 * <p>Retryable: throttling ({@code SlowDown}, {@code Throttling}, HTTP 503 and 429), every 5xx but 501 {@code NotImplemented},
 * timeouts ({@code RequestTimeout}, 408), a body damaged in transit ({@code BadDigest}, {@code
 * IncompleteBody}), expired temporary credentials, conflicting operations, and client-side I/O
 * failures (connection refused, reset, timed out). Everything else the server answers (4xx: {@code
 * AccessDenied}, {@code NoSuchBucket}, {@code InvalidAccessKeyId}, {@code
 * SignatureDoesNotMatch}, {@code KMS.*} …) is permanent: no retry changes it.
 *
 * <p>Stateless and thread-safe.
 */
public final class S3Errors {
  private static final Set<String> RETRYABLE_CODES = Set.of(
      "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
      "RequestTimeout", "RequestTimeoutException", "InternalError", "ServiceUnavailable",
      "BadDigest", "IncompleteBody", "ExpiredToken", "OperationAborted", "RequestTimeTooSkewed",
      "XAmzContentSHA256Mismatch");

  private S3Errors() {}

  /**
   * @param destination the destination's name
   * @param action what was attempted ({@code "PutObject"})
   * @param bucket the bucket
   * @param key the object key, or null when none is involved
   */
  public static DeliveryException classify(String destination, String action, String bucket, String key, Throwable e) {
    String where = "s3://" + bucket + (key == null ? "" : "/" + key);
    if (e instanceof DeliveryException d) {
      return d;
    }
    if (e instanceof S3Exception s3) {
      String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
      int status = s3.statusCode();
      boolean retryable = isRetryable(code, status);
      String message = "destination '" + destination + "': " + action + " " + where + " failed: "
          + (code == null ? "HTTP " + status : code + " (HTTP " + status + ")")
          + (s3.awsErrorDetails() != null && s3.awsErrorDetails().errorMessage() != null
              ? ": " + s3.awsErrorDetails().errorMessage() : "")
          + (s3.requestId() != null ? " [request id " + s3.requestId() + "]" : "")
          + hint(code, bucket);
      Duration retryAfter = retryable ? retryAfter(s3).orElse(null) : null;
      return new DeliveryException(message, retryable, retryAfter, e);
    }
    software.amazon.awssdk.core.exception.SdkServiceException refused = credentialsRefused(e);
    if (refused != null) {
      // The credentials provider asked a service (STS for assumeRole) and was refused: no retry helps.
      return DeliveryException.permanent("destination '" + destination + "': " + action + " " + where
          + " failed: the credentials could not be obtained: " + code(refused) + describe(refused)
          + "; check roleArn, externalId and that the base credentials may sts:AssumeRole", e);
    }
    if (e instanceof SdkClientException || e instanceof IOException || e instanceof UncheckedIOException) {
      return DeliveryException.retryable("destination '" + destination + "': " + action + " " + where
          + " failed before S3 answered (network, timeout or local I/O): " + describe(e), e);
    }
    if (e instanceof SdkException) {
      // An SdkServiceException that is not an S3Exception (e.g. from STS while assuming a role).
      software.amazon.awssdk.core.exception.SdkServiceException svc =
          e instanceof software.amazon.awssdk.core.exception.SdkServiceException x ? x : null;
      boolean retryable = svc == null || isRetryable(null, svc.statusCode()) || ((SdkException) e).retryable();
      return new DeliveryException("destination '" + destination + "': " + action + " " + where + " failed: "
          + describe(e), retryable, null, e);
    }
    return DeliveryException.permanent("destination '" + destination + "': " + action + " " + where
        + " failed: " + describe(e), e);
  }

  /** A 4xx refusal of a service other than S3 (STS, for assumeRole): it or one of its causes. */
  private static software.amazon.awssdk.core.exception.SdkServiceException credentialsRefused(Throwable e) {
    for (Throwable c = e; c != null && c != c.getCause(); c = c.getCause()) {
      if (c instanceof software.amazon.awssdk.core.exception.SdkServiceException svc && !(c instanceof S3Exception)) {
        String code = svc instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
            && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : null;
        return isRetryable(code, svc.statusCode()) ? null : svc;
      }
    }
    return null;
  }

  private static String code(software.amazon.awssdk.core.exception.SdkServiceException e) {
    return e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null
        ? aws.awsErrorDetails().errorCode() + " (HTTP " + e.statusCode() + ") " : "HTTP " + e.statusCode() + " ";
  }

  static boolean isRetryable(String code, int status) {
    if (code != null && (RETRYABLE_CODES.contains(code))) {
      return true;
    }
    if (status == 501 || "NotImplemented".equals(code)) {
      return false; // the store does not support what was asked (an SSE mode, a header): no retry helps
    }
    return status >= 500 || status == 429 || status == 408;
  }

  private static String hint(String code, String bucket) {
    if ("NoSuchBucket".equals(code)) {
      return "; the bucket '" + bucket + "' does not exist (or the endpoint/region is not the one it lives in)";
    }
    if ("AccessDenied".equals(code) || "InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code)) {
      return "; check the credentials and that they may s3:PutObject (and multipart actions) on bucket '" + bucket + "'";
    }
    return "";
  }

  private static Optional<Duration> retryAfter(S3Exception e) {
    if (e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null) {
      return Optional.empty();
    }
    return e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Retry-After").flatMap(v -> {
      try {
        long seconds = Long.parseLong(v.trim());
        return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
      } catch (NumberFormatException x) {
        return Optional.empty();
      }
    });
  }

  private static String describe(Throwable e) {
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
