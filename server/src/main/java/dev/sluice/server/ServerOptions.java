package dev.sluice.server;

import dev.sluice.auth.AccessPolicy;
import dev.sluice.auth.Secrets;
import dev.sluice.spi.Authenticator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a {@link SluiceServer} listens and whom it lets in. Built with {@link #builder()}; every
 * setter checks its value and names the rejected one.
 *
 * <p>Defaults: host {@code 127.0.0.1}, port 8080 (0 picks a free port), no authenticators (every
 * protected route answers 401), request bodies up to 1 MiB, CORS off, no secrets management, 30 s
 * for the HTTP drain and for the runs' shutdown, {@code /metrics} rendered from {@code
 * Sluice.meterRegistry()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerOptions {
  private final String host;
  private final int port;
  private final List<Authenticator> authenticators;
  private final AccessPolicy accessPolicy;
  private final long maxRequestBytes;
  private final List<String> corsOrigins;
  private final Secrets secrets;
  private final Duration httpDrainTimeout;
  private final Duration runsShutdownTimeout;
  private final boolean shutdownSluice;
  private final Supplier<String> metricsScraper;
  private final Function<String, String> configEnvironment;
  private final Duration progressInterval;
  private final Duration idleTimeout;
  private final java.util.Map<String, java.util.function.BooleanSupplier> readinessChecks;
  private final SessionOptions sessions;
  private final dev.sluice.auth.LocalAuth localAuth;
  private final java.nio.file.Path tlsKeyStore;
  private final char[] tlsPassword;
  private final java.nio.file.Path tlsCertificateChain;
  private final java.nio.file.Path tlsPrivateKey;
  private final List<dev.sluice.auth.BrowserLogin> browserLogins;
  private final java.net.URI publicUrl;

  private ServerOptions(Builder b) {
    this.host = b.host;
    this.port = b.port;
    this.authenticators = List.copyOf(b.authenticators);
    this.accessPolicy = b.accessPolicy;
    this.maxRequestBytes = b.maxRequestBytes;
    this.corsOrigins = List.copyOf(b.corsOrigins);
    this.secrets = b.secrets;
    this.httpDrainTimeout = b.httpDrainTimeout;
    this.runsShutdownTimeout = b.runsShutdownTimeout;
    this.shutdownSluice = b.shutdownSluice;
    this.metricsScraper = b.metricsScraper;
    this.configEnvironment = b.configEnvironment;
    this.progressInterval = b.progressInterval;
    this.idleTimeout = b.idleTimeout;
    this.readinessChecks = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(b.readinessChecks));
    // Local users log in to the dashboard unless the host plugged in its own password login.
    this.sessions = b.sessions != null ? b.sessions
        : b.localAuth != null ? SessionOptions.builder(PasswordLogin.localUsers(b.localAuth)).build()
        : !b.browserLogins.isEmpty() ? SessionOptions.builder().build() : null;
    this.browserLogins = List.copyOf(b.browserLogins);
    this.publicUrl = b.publicUrl;
    this.localAuth = b.localAuth;
    this.tlsKeyStore = b.tlsKeyStore;
    this.tlsPassword = b.tlsPassword == null ? null : b.tlsPassword.clone();
    this.tlsCertificateChain = b.tlsCertificateChain;
    this.tlsPrivateKey = b.tlsPrivateKey;
  }

  /**
   * The dashboard's cookie sessions (login with a password at {@code /api/v1/session}).
   *
   * @return the session options; empty when the server offers no password login
   */
  public Optional<SessionOptions> sessions() {
    return Optional.ofNullable(sessions);
  }

  /**
   * The dashboard's browser logins ("Sign in with …"), in the order the sign-in page shows them.
   * Each is served at {@code /api/v1/session/sso/{id}} and opens a cookie session like the password
   * login.
   *
   * @return an immutable list, never null; empty by default
   */
  public List<dev.sluice.auth.BrowserLogin> browserLogins() {
    return browserLogins;
  }

  /**
   * The URL browsers reach this server at, e.g. {@code https://sluice.example.com}; the callback
   * URLs of {@link #browserLogins()} are built from it (never from the request's {@code Host}
   * header, which a client chooses).
   *
   * @return the public base URL, without a trailing slash; empty when not set (then browser logins
   *     are only allowed on a loopback host and use {@code http://host:port})
   */
  public Optional<java.net.URI> publicUrl() {
    return Optional.ofNullable(publicUrl);
  }

  /**
   * Local users, tokens and API keys: when present, the server answers {@code /api/v1/auth/login},
   * {@code refresh} and {@code logout}, and the users, roles, API-key and audit routes. Add {@code
   * localAuth.authenticator()} to {@link #authenticators()} for its tokens and keys to be accepted.
   *
   * @return the local authentication, or empty (the default) when the server serves none of
   *     these routes
   */
  public Optional<dev.sluice.auth.LocalAuth> localAuth() {
    return Optional.ofNullable(localAuth);
  }

  /**
   * A builder with the defaults listed on this class.
   *
   * @return a new builder; not thread-safe
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The address to bind.
   *
   * @return the host name or IP address, never null or blank; {@code 127.0.0.1} by default
   */
  public String host() {
    return host;
  }

  /**
   * The port to bind.
   *
   * @return 0 to 65535, 0 meaning any free port ({@link SluiceServer#port()} tells which); 8080
   *     by default
   */
  public int port() {
    return port;
  }

  /**
   * The authentication chain, asked in order for every protected route.
   *
   * @return an immutable list, never null; empty by default, in which case every protected route
   *     answers 401
   */
  public List<Authenticator> authenticators() {
    return authenticators;
  }

  /**
   * The policy that decides every authenticated request to a protected route.
   *
   * @return the policy, never null; by default one that denies everything
   */
  public AccessPolicy accessPolicy() {
    return accessPolicy;
  }

  /**
   * The largest request body accepted on the API (webhooks have their own per-path limits).
   * Larger bodies are answered with 413.
   *
   * @return the limit in bytes, at least 1024; 1 MiB by default
   */
  public long maxRequestBytes() {
    return maxRequestBytes;
  }

  /**
   * Origins allowed to call the API from a browser.
   *
   * @return an immutable list of {@code scheme://host[:port]} origins, never null; empty (the
   *     default) turns CORS off
   */
  public List<String> corsOrigins() {
    return corsOrigins;
  }

  /**
   * The secrets the {@code /api/v1/secrets} routes manage.
   *
   * @return the secrets, or empty (the default) when the server manages none; authorized requests
   *     to those routes then get 501
   */
  public Optional<Secrets> secrets() {
    return Optional.ofNullable(secrets);
  }

  /**
   * How long {@link SluiceServer#stop()} lets requests in progress finish.
   *
   * @return a positive duration; 30 seconds by default
   */
  public Duration httpDrainTimeout() {
    return httpDrainTimeout;
  }

  /**
   * The deadline {@link SluiceServer#stop()} hands to {@code Sluice.shutdown}.
   *
   * @return a positive duration; 30 seconds by default
   */
  public Duration runsShutdownTimeout() {
    return runsShutdownTimeout;
  }

  /**
   * Whether {@link SluiceServer#stop()} shuts the Sluice down after the HTTP server.
   *
   * @return true (the default) to shut the Sluice down, false to leave it running
   */
  public boolean shutdownSluice() {
    return shutdownSluice;
  }

  /**
   * Renders {@code /metrics}.
   *
   * @return the scraper, or empty (the default) to render the Sluice's meter registry in the
   *     Prometheus text format
   */
  public Optional<Supplier<String>> metricsScraper() {
    return Optional.ofNullable(metricsScraper);
  }

  /**
   * The environment {@code ${env:…}} resolves against when configurations are validated.
   *
   * @return a function from variable name to value (null when unset), never null; by default
   *     {@code System::getenv}
   */
  public Function<String, String> configEnvironment() {
    return configEnvironment;
  }

  /**
   * How often the live-progress event stream reports a running run.
   *
   * @return a positive duration; 500 milliseconds by default
   */
  public Duration progressInterval() {
    return progressInterval;
  }

  /**
   * The key store the server's TLS certificate and private key are read from, when it serves
   * HTTPS.
   *
   * @return the PKCS #12 (or JKS, by its {@code .jks} name) file; empty when the server serves
   *     plain HTTP (the default)
   */
  public java.util.Optional<java.nio.file.Path> tlsKeyStore() {
    return java.util.Optional.ofNullable(tlsKeyStore);
  }

  /**
   * The PEM file the server's TLS certificate chain is read from, when it serves HTTPS from PEM
   * files ({@link Builder#tlsPem}).
   *
   * @return the certificate chain file; empty otherwise
   */
  public java.util.Optional<java.nio.file.Path> tlsCertificateChain() {
    return java.util.Optional.ofNullable(tlsCertificateChain);
  }

  /**
   * The PEM file the server's TLS private key is read from, when it serves HTTPS from PEM files
   * ({@link Builder#tlsPem}).
   *
   * @return the private key file; empty otherwise
   */
  public java.util.Optional<java.nio.file.Path> tlsPrivateKey() {
    return java.util.Optional.ofNullable(tlsPrivateKey);
  }

  /** The key store's password, for the server only; never shown. */
  char[] tlsPassword() {
    return tlsPassword == null ? null : tlsPassword.clone();
  }

  /**
   * How long an idle connection stays open.
   *
   * @return a positive duration; 30 seconds by default
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /**
   * Further checks {@code /health/ready} runs besides the store and the scheduler (e.g. {@code
   * migrations}), by name, in order. A check that returns false or throws makes the server not
   * ready.
   *
   * @return an unmodifiable map from name to check in the order they were added, never null;
   *     empty by default
   */
  public java.util.Map<String, java.util.function.BooleanSupplier> readinessChecks() {
    return readinessChecks;
  }

  /** Collects options; not thread-safe. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port = 8080;
    private final List<Authenticator> authenticators = new ArrayList<>();
    private AccessPolicy accessPolicy = (p, perm, pipeline) ->
        dev.sluice.auth.AccessDecision.deny("no access policy is configured");
    private long maxRequestBytes = 1 << 20;
    private final List<String> corsOrigins = new ArrayList<>();
    private Secrets secrets;
    private Duration httpDrainTimeout = Duration.ofSeconds(30);
    private Duration runsShutdownTimeout = Duration.ofSeconds(30);
    private boolean shutdownSluice = true;
    private Supplier<String> metricsScraper;
    private Function<String, String> configEnvironment = System::getenv;
    private Duration progressInterval = Duration.ofMillis(500);
    private Duration idleTimeout = Duration.ofSeconds(30);
    private java.nio.file.Path tlsKeyStore;
    private char[] tlsPassword;
    private java.nio.file.Path tlsCertificateChain;
    private java.nio.file.Path tlsPrivateKey;
    private final java.util.Map<String, java.util.function.BooleanSupplier> readinessChecks =
        new java.util.LinkedHashMap<>();
    private SessionOptions sessions;

    private dev.sluice.auth.LocalAuth localAuth;
    private final List<dev.sluice.auth.BrowserLogin> browserLogins = new ArrayList<>();
    private java.net.URI publicUrl;

    private Builder() {}

    /**
     * Adds a browser login ("Sign in with …", e.g. Keycloak's authorization code flow) to the
     * dashboard. Without {@link #sessions} or {@link #localAuth} the dashboard then has sessions
     * with the default {@link SessionOptions} and no password login.
     *
     * @param value the login; its {@link dev.sluice.auth.BrowserLogin#id()} must be unique here
     * @return this builder
     * @throws NullPointerException when {@code value} is null
     * @throws IllegalArgumentException when its id is malformed or already added
     */
    public Builder browserLogin(dev.sluice.auth.BrowserLogin value) {
      Objects.requireNonNull(value, "browserLogin");
      String id = value.id();
      if (id == null || !dev.sluice.auth.BrowserLogin.ID.matcher(id).matches()) {
        throw new IllegalArgumentException("browser login id must be 1-32 of a-z, 0-9, '-' (not first), got '"
            + id + "'");
      }
      String label = value.label();
      if (label == null || label.isBlank() || label.length() > 64) {
        throw new IllegalArgumentException("browser login '" + id + "' needs a label of 1 to 64 characters, got '"
            + label + "'");
      }
      if (browserLogins.stream().anyMatch(l -> l.id().equals(id))) {
        throw new IllegalArgumentException("a browser login with id '" + id + "' was already added");
      }
      browserLogins.add(value);
      return this;
    }

    /**
     * The URL browsers reach this server at (behind a proxy: the proxy's), used to build browser
     * logins' callback URLs. Required for browser logins unless the server binds a loopback host.
     *
     * @param value {@code http} or {@code https} URL with a host, optionally a path, no query or
     *     fragment; null (the default) to unset
     * @return this builder
     * @throws IllegalArgumentException when the URL is not as above
     */
    public Builder publicUrl(java.net.URI value) {
      if (value == null) {
        this.publicUrl = null;
        return this;
      }
      String scheme = value.getScheme() == null ? "" : value.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (!value.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || value.getHost() == null
          || value.getRawQuery() != null || value.getRawFragment() != null || value.getRawUserInfo() != null) {
        throw new IllegalArgumentException("publicUrl must be an http(s) URL with a host and no user info, query"
            + " or fragment, e.g. https://sluice.example.com, got '" + value + "'");
      }
      String text = value.toString();
      while (text.endsWith("/")) {
        text = text.substring(0, text.length() - 1);
      }
      this.publicUrl = java.net.URI.create(text);
      return this;
    }

    /**
     * The dashboard's cookie sessions ({@code /api/v1/session}).
     *
     * @param value the session options, or null (the default) for no password login
     * @return this builder
     */
    public Builder sessions(SessionOptions value) {
      this.sessions = value;
      return this;
    }

    /**
     * Password login for the dashboard with the default {@link SessionOptions}.
     *
     * @param value checks usernames and passwords
     * @return this builder
     * @throws NullPointerException when {@code value} is null
     */
    public Builder passwordLogin(PasswordLogin value) {
      this.sessions = SessionOptions.builder(value).build();
      return this;
    }

    /**
     * Local authentication to serve login and the user administration routes with (see {@link
     * ServerOptions#localAuth()}). Its authenticator is not added to the chain by this method.
     *
     * @param value the local authentication, or null (the default) for none
     * @return this builder
     */
    public Builder localAuth(dev.sluice.auth.LocalAuth value) {
      this.localAuth = value;
      return this;
    }

    /**
     * Adds a readiness check, e.g.
     * {@code readinessCheck("migrations", () -> store.pending() == 0)}.
     *
     * A check with a name already added replaces it. The check runs on every {@code
     * /health/ready} request; returning false or throwing makes the server not ready (503).
     *
     * @param name 1 to 64 letters, digits, '-' or '_'; not {@code store} or {@code scheduler}
     * @param check the check; not null
     * @return this builder
     * @throws IllegalArgumentException when {@code name} is null or not as above
     * @throws NullPointerException when {@code check} is null
     */
    public Builder readinessCheck(String name, java.util.function.BooleanSupplier check) {
      if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}") || name.equals("store") || name.equals("scheduler")) {
        throw new IllegalArgumentException("a readiness check's name is 1-64 letters, digits, '-' or '_' and not"
            + " 'store' or 'scheduler', got '" + name + "'");
      }
      readinessChecks.put(name, java.util.Objects.requireNonNull(check, "check"));
      return this;
    }

    /**
     * The address to bind, e.g. {@code 0.0.0.0} for every interface.
     *
     * @param value a host name or IP address; default {@code 127.0.0.1}
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or blank
     */
    public Builder host(String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException("host must not be blank, got '" + value + "'");
      }
      this.host = value;
      return this;
    }

    /**
     * The port to bind.
     *
     * @param value 0 to 65535; 0 picks a free port ({@link SluiceServer#port()} tells which);
     *     default 8080
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is outside 0 to 65535
     */
    public Builder port(int value) {
      if (value < 0 || value > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535, got " + value);
      }
      this.port = value;
      return this;
    }

    /**
     * Adds one authenticator to the end of the chain (empty by default).
     *
     * @param value the authenticator; not null
     * @return this builder
     * @throws NullPointerException when {@code value} is null
     */
    public Builder authenticator(Authenticator value) {
      authenticators.add(Objects.requireNonNull(value, "authenticator"));
      return this;
    }

    /**
     * Replaces the chain with {@code values}, asked in their order. The list is copied.
     *
     * @param values the authenticators, possibly empty; neither the list nor any element null
     * @return this builder
     * @throws NullPointerException when {@code values} or one of its elements is null
     */
    public Builder authenticators(List<? extends Authenticator> values) {
      Objects.requireNonNull(values, "authenticators").forEach(a -> Objects.requireNonNull(a, "an authenticator is null"));
      authenticators.clear();
      authenticators.addAll(values);
      return this;
    }

    /**
     * The policy that decides every protected request.
     *
     * @param value the policy; not null; default: one that denies everything
     * @return this builder
     * @throws NullPointerException when {@code value} is null
     */
    public Builder accessPolicy(AccessPolicy value) {
      this.accessPolicy = Objects.requireNonNull(value, "accessPolicy");
      return this;
    }

    /**
     * The largest request body accepted on the API; larger ones are answered with 413.
     *
     * @param value the limit in bytes, at least 1024; default 1 MiB
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is less than 1024
     */
    public Builder maxRequestBytes(long value) {
      if (value < 1024) {
        throw new IllegalArgumentException("maxRequestBytes must be at least 1024, got " + value);
      }
      this.maxRequestBytes = value;
      return this;
    }

    /**
     * Adds an origin allowed to call the API from a browser; adding any turns CORS on (off by
     * default).
     *
     * @param value {@code http} or {@code https}, {@code ://}, host and optional port, no path,
     *     e.g. {@code https://ops.example.com}
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null or not such an origin
     */
    public Builder corsOrigin(String value) {
      if (value == null || !value.matches("https?://[^/\\s]+")) {
        throw new IllegalArgumentException("a CORS origin is scheme://host[:port], got '" + value + "'");
      }
      corsOrigins.add(value);
      return this;
    }

    /**
     * The secrets to manage through {@code /api/v1/secrets}.
     *
     * @param value the secrets, or null (the default) for none; authorized requests to the secrets
     *     routes then get 501
     * @return this builder
     */
    public Builder secrets(Secrets value) {
      this.secrets = value;
      return this;
    }

    /**
     * How long {@link SluiceServer#stop()} lets requests in progress finish.
     *
     * @param value a positive duration; default 30 seconds
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public Builder httpDrainTimeout(Duration value) {
      this.httpDrainTimeout = positive(value, "httpDrainTimeout");
      return this;
    }

    /**
     * The deadline {@link SluiceServer#stop()} gives the Sluice's runs when it shuts the Sluice
     * down.
     *
     * @param value a positive duration; default 30 seconds
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public Builder runsShutdownTimeout(Duration value) {
      this.runsShutdownTimeout = positive(value, "runsShutdownTimeout");
      return this;
    }

    /**
     * Whether {@link SluiceServer#stop()} also shuts the Sluice down.
     *
     * @param value true (the default) to shut it down after the HTTP server, false to leave it
     *     running
     * @return this builder
     */
    public Builder shutdownSluice(boolean value) {
      this.shutdownSluice = value;
      return this;
    }

    /**
     * Renders {@code /metrics}, e.g. {@code prometheusRegistry::scrape}.
     *
     * @param value the scraper, called on every request; or null (the default) to render the
     *     Sluice's meter registry in the Prometheus text format
     * @return this builder
     */
    public Builder metricsScraper(Supplier<String> value) {
      this.metricsScraper = value;
      return this;
    }

    /**
     * The environment {@code ${env:…}} resolves against when configurations are validated.
     *
     * @param value a function from variable name to value (null when unset); not null; default
     *     {@code System::getenv}
     * @return this builder
     * @throws NullPointerException when {@code value} is null
     */
    public Builder configEnvironment(Function<String, String> value) {
      this.configEnvironment = Objects.requireNonNull(value, "configEnvironment");
      return this;
    }

    /**
     * How often the live-progress event stream reports a running run.
     *
     * @param value a positive duration; default 500 milliseconds
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public Builder progressInterval(Duration value) {
      this.progressInterval = positive(value, "progressInterval");
      return this;
    }

    /**
     * Serves HTTPS (TLS 1.2 and 1.3) instead of plain HTTP, with the certificate and private key of
     * a key store: PKCS #12 ({@code .p12}/{@code .pfx}, what {@code openssl pkcs12 -export} and
     * {@code keytool -genkeypair} make), or JKS when the file name ends in {@code .jks}. The file
     * is read when the server starts; a wrong password or a missing file stops {@link
     * SluiceServer#start()} with an exception (which never holds the password). Dashboard session
     * cookies are {@code Secure} then.
     *
     * @param keyStore the key store file, never null
     * @param password its password, never null; copied, so the caller may clear its array
     * @return this builder
     * @throws NullPointerException when an argument is null
     */
    public Builder tls(java.nio.file.Path keyStore, char[] password) {
      this.tlsKeyStore = Objects.requireNonNull(keyStore, "keyStore");
      this.tlsPassword = Objects.requireNonNull(password, "password").clone();
      this.tlsCertificateChain = null;
      this.tlsPrivateKey = null;
      return this;
    }

    /**
     * Serves HTTPS (TLS 1.2 and 1.3) instead of plain HTTP, with a certificate chain and private
     * key in PEM files, as certbot ({@code fullchain.pem}, {@code privkey.pem}), cert-manager
     * ({@code tls.crt}, {@code tls.key}) and most CAs hand them out. The chain holds the server's
     * certificate first, then its intermediates; the key is unencrypted PKCS #8 (RSA, EC or EdDSA,
     * as {@code openssl genpkey} writes it) or PKCS #1 (RSA only). The files are
     * read when the server starts; a missing or malformed file, an encrypted key, or a key that
     * does not belong to the first certificate stops {@link SluiceServer#start()} with an
     * exception naming the file (never key material). Replaces {@link #tls(java.nio.file.Path,
     * char[])}; dashboard session cookies are {@code Secure} then.
     *
     * @param certificateChain the PEM certificate chain file, never null
     * @param privateKey the PEM private key file, never null
     * @return this builder
     * @throws NullPointerException when an argument is null
     */
    public Builder tlsPem(java.nio.file.Path certificateChain, java.nio.file.Path privateKey) {
      this.tlsCertificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
      this.tlsPrivateKey = Objects.requireNonNull(privateKey, "privateKey");
      this.tlsKeyStore = null;
      this.tlsPassword = null;
      return this;
    }

    /**
     * How long an idle connection stays open before the server closes it.
     *
     * @param value a positive duration; default 30 seconds
     * @return this builder
     * @throws IllegalArgumentException when {@code value} is null, zero or negative
     */
    public Builder idleTimeout(Duration value) {
      this.idleTimeout = positive(value, "idleTimeout");
      return this;
    }

    /**
     * The options collected so far. The builder may be used on; later changes do not affect the
     * options returned.
     *
     * @return new immutable options, never null
     */
    public ServerOptions build() {
      if (!browserLogins.isEmpty() && publicUrl == null && !loopback(host)) {
        // The callback URL must not come from the Host header (a client could point the provider's
        // redirect elsewhere); off loopback only the operator knows the URL browsers use.
        throw new IllegalArgumentException("browser logins need publicUrl (the URL browsers reach this server at)"
            + " when the server binds " + host + ", which is not a loopback address");
      }
      return new ServerOptions(this);
    }

    private static boolean loopback(String host) {
      return host.equals("127.0.0.1") || host.equals("::1") || host.equals("[::1]") || host.equals("localhost");
    }

    private static Duration positive(Duration value, String what) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + value);
      }
      return value;
    }
  }
}
