package dev.sluice.destinations.s3.internal;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Builds the SDK client for an {@code s3} destination: the JDK's {@code HttpURLConnection} as HTTP
 * client, credentials from static keys, a profile or the default chain (optionally through an
 * assumed role), region, endpoint override and path-style access. Stateless.
 */
public final class S3Clients {
  private S3Clients() {}

  /** What {@link #create} built: the client and what else must be closed with it. */
  public record Built(S3Client s3, List<AutoCloseable> closeables) {}

  /**
   * @param interceptors extra SDK interceptors (tests capture requests with them); may be empty
   */
  public static Built create(S3Settings s, List<ExecutionInterceptor> interceptors) {
    List<AutoCloseable> closeables = new ArrayList<>();
    // When an endpoint is given (MinIO, Ceph, R2) and no region, sign for us-east-1 as those expect.
    Region region = s.region().map(Region::of)
        .orElse(s.endpoint().isPresent() ? Region.US_EAST_1 : null);
    AwsCredentialsProvider credentials = base(s.credentials());
    if (s.credentials().roleArn() != null) {
      var sts = StsClient.builder()
          .httpClient(UrlConnectionHttpClient.builder().build())
          .credentialsProvider(credentials)
          .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(s.sdkMaxAttempts()))
              .apiCallAttemptTimeout(s.requestTimeout()));
      if (region != null) {
        sts.region(region);
      }
      if (s.credentials().stsEndpoint() != null) {
        sts.endpointOverride(s.credentials().stsEndpoint());
      }
      StsClient stsClient = sts.build();
      closeables.add(stsClient);
      StsAssumeRoleCredentialsProvider assume = StsAssumeRoleCredentialsProvider.builder()
          .stsClient(stsClient)
          .refreshRequest(r -> {
            r.roleArn(s.credentials().roleArn()).roleSessionName(s.credentials().roleSessionName());
            if (s.credentials().externalId() != null) {
              r.externalId(s.credentials().externalId());
            }
          })
          .asyncCredentialUpdateEnabled(false)
          .build();
      closeables.add(assume);
      credentials = assume;
    }
    var b = S3Client.builder()
        .httpClient(UrlConnectionHttpClient.builder().build())
        .credentialsProvider(credentials)
        // Checksums are chosen per request (option 'checksum'); none is computed behind our back.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .forcePathStyle(s.pathStyle())
        // Whole-body requests (the body is in memory anyway): no aws-chunked transfer, which some
        // S3-compatible stores mishandle (S3Proxy keeps "aws-chunked" in the stored Content-Encoding).
        .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
        .overrideConfiguration(o -> {
          o.retryStrategy(r -> r.maxAttempts(s.sdkMaxAttempts()));
          o.apiCallAttemptTimeout(s.requestTimeout());
          interceptors.forEach(o::addExecutionInterceptor);
        });
    if (region != null) {
      b.region(region);
    }
    s.endpoint().ifPresent(b::endpointOverride);
    S3Client client = b.build();
    return new Built(client, List.copyOf(closeables));
  }

  private static AwsCredentialsProvider base(S3Settings.Credentials c) {
    if (c.accessKeyId() != null) {
      return StaticCredentialsProvider.create(c.sessionToken() != null
          ? AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken())
          : AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()));
    }
    if (c.profile() != null) {
      return ProfileCredentialsProvider.create(c.profile());
    }
    return DefaultCredentialsProvider.builder().build();
  }
}
