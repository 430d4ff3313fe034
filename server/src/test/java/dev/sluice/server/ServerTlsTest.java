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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
