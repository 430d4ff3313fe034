package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.Sluice;
import dev.sluice.auth.Actor;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.auth.LocalAuth;
import dev.sluice.auth.Secrets;
import dev.sluice.store.InMemoryStore;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTPS from a key store: the server answers over TLS with the store's certificate, refuses plain
 * HTTP on that port, marks the dashboard's session cookie {@code Secure}, and a wrong key-store
 * password stops the start with an exception that does not show the password. The key
 * store is made at test time by the JDK's {@code keytool} (a self-signed certificate for
 * 127.0.0.1).
 */
class ServerTlsTest {
  @TempDir Path dir;

  private Path keyStore(char[] password) throws Exception {
    Path file = dir.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sluice", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
        "-storepass", new String(password), "-keypass", new String(password))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return file;
  }

  private static HttpClient trusting(Path keyStore, char[] password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      ks.load(in, password);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Test
  void servesHttpsWithTheKeyStoresCertificateAndSecureCookies() throws Exception {
    char[] password = ("ks-" + UUID.randomUUID()).toCharArray();
    Path keyStore = keyStore(password);
    InMemoryStore store = new InMemoryStore();
    Secrets secrets = Secrets.open(store.secrets().orElseThrow(), UUID.randomUUID().toString().toCharArray());
    LocalAuth local = LocalAuth.builder(store, secrets).build();
    String userPassword = "pw-" + UUID.randomUUID();
    local.createUser(Actor.cli(), "ada", userPassword.toCharArray(), Set.of(BuiltInRoles.VIEWER));
    Sluice sluice = Sluice.builder().store(store).build().start();
    SluiceServer server = SluiceServer.create(sluice, ServerOptions.builder().host("127.0.0.1").port(0)
        .authenticator(local.authenticator()).accessPolicy(local.accessPolicy()).localAuth(local)
        .tls(keyStore, password).build()).start();
    try {
      HttpClient https = trusting(keyStore, password);
      String base = "https://127.0.0.1:" + server.port();
      HttpResponse<String> live = https.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));

      HttpResponse<String> session = https.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/session"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"username\":\"ada\",\"password\":\"" + userPassword + "\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(session.statusCode()).as(session.body()).isBetween(200, 204);
      assertThat(session.headers().allValues("Set-Cookie")).isNotEmpty()
          .allSatisfy(c -> assertThat(c).contains("Secure").contains("SameSite=Strict"));

      // Plain HTTP on the TLS port is not served.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      boolean servedPlain;
      try {
        HttpResponse<String> r = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
            + "/health/live")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        servedPlain = r.statusCode() == 200;
      } catch (java.io.IOException e) {
        servedPlain = false;
      }
      assertThat(servedPlain).as("plain HTTP answered on the HTTPS port").isFalse();
    } finally {
      server.stop();
      sluice.close();
    }
  }

  @Test
  void aWrongKeyStorePasswordStopsTheStartWithoutShowingIt() throws Exception {
    char[] password = ("ks-" + UUID.randomUUID()).toCharArray();
    Path keyStore = keyStore(password);
    String wrong = "wrong-" + UUID.randomUUID();
    Sluice sluice = Sluice.builder().store(new InMemoryStore()).build();
    try {
      SluiceServer server = SluiceServer.create(sluice, ServerOptions.builder().host("127.0.0.1").port(0)
          .tls(keyStore, wrong.toCharArray()).build());
      assertThatThrownBy(server::start)
          .satisfies(e -> {
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
              all.append(t).append('\n');
            }
            assertThat(all.toString()).doesNotContain(wrong).doesNotContain(new String(password));
          });
    } finally {
      sluice.close();
    }
  }

  // ---------------------------------------------------------------- PEM files, made by openssl as users make them

  private String openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("openssl " + String.join(" ", args) + ": " + out).isZero();
    return out;
  }

  /** A self-signed certificate for 127.0.0.1 and its key, in cert.pem and key.pem. */
  private void selfSigned(String keyAlgorithm) throws Exception {
    openssl("req", "-x509", "-newkey", keyAlgorithm, "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
  }

  private static HttpClient trustingPem(Path certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      trust.setCertificateEntry("server", java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** Starts a server on PEM files and asks /health/live over HTTPS, trusting only {@code cert}. */
  private void assertServesHttps(Path cert, Path key) throws Exception {
    Sluice sluice = Sluice.builder().store(new InMemoryStore()).build().start();
    SluiceServer server = SluiceServer.create(sluice, ServerOptions.builder().host("127.0.0.1").port(0)
        .tlsPem(cert, key).build()).start();
    try {
      HttpResponse<String> live = trustingPem(cert).send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + server.port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.sslSession()).hasValueSatisfying(s -> assertThat(s.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));
    } finally {
      server.stop();
      sluice.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ec", "rsa-pkcs8", "rsa-pkcs1", "ed25519"})
  void servesHttpsFromPemFilesAsOpensslCertbotAndCertManagerWriteThem(String kind) throws Exception {
    switch (kind) {
      case "ec" -> {
        openssl("ecparam", "-name", "prime256v1", "-out", "ec.param");
        selfSigned("ec:ec.param");
      }
      case "rsa-pkcs8" -> selfSigned("rsa:2048");
      case "rsa-pkcs1" -> {
        selfSigned("rsa:2048");
        openssl("rsa", "-in", "key.pem", "-traditional", "-out", "key.pem"); // cert-manager's default
        assertThat(Files.readString(dir.resolve("key.pem"))).contains("-----BEGIN RSA ");
      }
      default -> selfSigned("ed25519");
    }
    assertServesHttps(dir.resolve("cert.pem"), dir.resolve("key.pem"));
  }

  @Test
  void aChainWithIntermediatesIsServedWholeServerCertificateFirst() throws Exception {
    // A CA, an intermediate and a server certificate, as a CA's fullchain.pem has them.
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Test Root", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "int.key", "-out", "int.csr", "-subj", "/CN=Test Int");
    Files.writeString(dir.resolve("int.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n");
    openssl("x509", "-req", "-in", "int.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
        "int.pem", "-days", "2", "-extfile", "int.ext");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=localhost");
    Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "int.pem", "-CAkey", "int.key", "-CAcreateserial", "-out",
        "server.pem", "-days", "2", "-extfile", "server.ext");
    Files.writeString(dir.resolve("fullchain.pem"),
        Files.readString(dir.resolve("server.pem")) + Files.readString(dir.resolve("int.pem")));

    Sluice sluice = Sluice.builder().store(new InMemoryStore()).build().start();
    SluiceServer server = SluiceServer.create(sluice, ServerOptions.builder().host("127.0.0.1").port(0)
        .tlsPem(dir.resolve("fullchain.pem"), dir.resolve("key.pem")).build()).start();
    try {
      // The client trusts only the root: the handshake works only if the intermediate is sent.
      HttpResponse<String> live = trustingPem(dir.resolve("ca.pem")).send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + server.port() + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.sslSession().orElseThrow().getPeerCertificates()).hasSize(2);
    } finally {
      server.stop();
      sluice.close();
    }
  }

  @Test
  void badPemFilesStopTheStartWithAMessageNamingTheFileAndNoKeyMaterial() throws Exception {
    selfSigned("rsa:2048");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    String keyText = Files.readString(key);
    String keyBase64 = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    Files.move(cert, dir.resolve("first-cert.pem"));
    Files.move(key, dir.resolve("first-key.pem"));
    selfSigned("rsa:2048"); // another pair: its key does not belong to the first certificate
    openssl("pkcs8", "-topk8", "-in", "key.pem", "-out", "encrypted.pem", "-passout", "pass:" + UUID.randomUUID());
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
    Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");

    record Case(Path cert, Path key, String message) {}
    List<Case> cases = List.of(
        new Case(dir.resolve("first-cert.pem"), key, "does not belong to the first certificate"),
        new Case(cert, dir.resolve("encrypted.pem"), "is encrypted"),
        new Case(cert, dir.resolve("sec1.pem"), "openssl pkcs8 -topk8"),
        new Case(dir.resolve("garbage.pem"), key, "holds no PEM certificate"),
        new Case(cert, dir.resolve("garbage.pem"), "holds no PEM private key"),
        new Case(dir.resolve("missing.pem"), key, "does not exist"),
        new Case(cert, cert, "holds no PEM private key"));
    for (Case c : cases) {
      Sluice sluice = Sluice.builder().store(new InMemoryStore()).build();
      try {
        SluiceServer server = SluiceServer.create(sluice, ServerOptions.builder().host("127.0.0.1").port(0)
            .tlsPem(c.cert(), c.key()).build());
        assertThatThrownBy(server::start).as(c.toString()).satisfies(e -> {
          StringBuilder all = new StringBuilder();
          for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
          }
          assertThat(all.toString()).contains(c.message()).doesNotContain(keyBase64)
              .containsAnyOf(c.cert().getFileName().toString(), c.key().getFileName().toString());
        });
      } finally {
        sluice.close();
      }
    }
    assertServesHttps(dir.resolve("first-cert.pem"), dir.resolve("first-key.pem"));
  }
}
