package dev.sluice.destinations.s3;

import java.net.URI;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3 server for the tests: S3Proxy in this JVM on 127.0.0.1 over jclouds' in-memory
 * ("transient") blob store, with AWS signature authentication on (V2 or V4). It can be stopped and
 * started again on the same port with the same contents, to simulate an outage.
 */
final class S3ProxyServer implements AutoCloseable {
  // Made when the tests start, never committed: credentials that look real don't belong in a repository.
  static final String ACCESS_KEY = testKey("TEST", 16);
  static final String SECRET_KEY = testKey("", 40);

  /**
   * A random credential of {@code length} characters after {@code prefix} (upper-case letters and
   * digits, like an access key id, or mixed case for a secret), made at test time.
   */
  static String testKey(String prefix, int length) {
    String alphabet = prefix.isEmpty()
        ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    java.security.SecureRandom random = new java.security.SecureRandom();
    StringBuilder key = new StringBuilder(prefix);
    for (int i = 0; i < length; i++) {
      key.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return key.toString();
  }

  private final BlobStoreContext context;
  private final String identity;
  private final String credential;
  private final boolean ignoreUnknownHeaders;
  private static S3ProxyServer shared;
  private S3Proxy proxy;
  private int port;

  S3ProxyServer() throws Exception {
    this(ACCESS_KEY, SECRET_KEY);
  }

  S3ProxyServer(String identity, String credential) throws Exception {
    this(identity, credential, false);
  }

  /**
   * @param ignoreUnknownHeaders S3Proxy answers 501 to headers it does not know, among them {@code
   *     x-amz-security-token} (temporary credentials); true lets such requests through
   */
  S3ProxyServer(String identity, String credential, boolean ignoreUnknownHeaders) throws Exception {
    this.ignoreUnknownHeaders = ignoreUnknownHeaders;
    this.identity = identity;
    this.credential = credential;
    Properties p = new Properties();
    context = ContextBuilder.newBuilder("transient").credentials("local", "local").overrides(p)
        .build(BlobStoreContext.class);
    start(0);
  }

  private void start(int wantedPort) throws Exception {
    proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:" + wantedPort))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, identity, credential)
        .ignoreUnknownHeaders(ignoreUnknownHeaders)
        .build();
    proxy.start();
    if (!"STARTED".equals(proxy.getState())) { // Jetty's start() returns once it listens
      throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
    }
    port = proxy.getPort();
  }

  /** The server the tests share, started on first use and stopped when the JVM exits. */
  static synchronized S3ProxyServer shared() throws Exception {
    if (shared == null) {
      S3ProxyServer s = new S3ProxyServer();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          s.close();
        } catch (Exception e) {
          // the JVM is exiting
        }
      }));
      shared = s;
    }
    return shared;
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  BlobStore blobStore() {
    return context.getBlobStore();
  }

  void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Stops the server until the returned handle is closed (same port, same contents). */
  AutoCloseable outage() throws Exception {
    int was = port;
    proxy.stop();
    return () -> start(was);
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
