package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sluice.Sluice;
import dev.sluice.auth.AuthenticationException;
import dev.sluice.auth.BrowserLogin;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.auth.Principal;
import dev.sluice.store.InMemoryStore;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * "Sign in with …" in a real browser (Debian's chromium, headless): the server listens on
 * {@code 127.0.0.1}, the identity provider on {@code localhost} (another site, so the redirect back
 * is cross-site as with a real provider and the {@code SameSite} rules of the cookies matter). The
 * provider is a loopback stub that approves at once (or refuses, when told) and redirects back with
 * a one-time code; the OAuth exchange itself is Keycloak's and is tested against the real server in
 * auth-keycloak. Only the browser login is configured: the page shows the button, not the form.
 */
class BrowserLoginBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static HttpServer provider;
  static SluiceServer server;
  static ChromeDriver driver;
  static WebDriverWait wait;
  static String base;
  static final AtomicBoolean deny = new AtomicBoolean();
  static final Map<String, String> codes = new ConcurrentHashMap<>(); // code -> state it was issued for

  /** The login the server offers; its "provider" is the stub below. */
  static final class StubLogin implements BrowserLogin {
    @Override
    public String id() {
      return "stub";
    }

    @Override
    public String label() {
      return "Stub SSO";
    }

    @Override
    public Started begin(URI redirectUri) {
      String state = UUID.randomUUID().toString();
      return new Started(URI.create("http://localhost:" + provider.getAddress().getPort() + "/authorize?state=" + state
          + "&redirect_uri=" + URLEncoder.encode(redirectUri.toString(), StandardCharsets.UTF_8)), state, state);
    }

    @Override
    public Principal complete(Started started, Map<String, String> q) {
      if (q.get("error") != null) {
        throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS, "refused", null);
      }
      String code = q.get("code");
      if (code == null || !started.pending().equals(codes.remove(code))) {
        throw new AuthenticationException(AuthenticationException.Reason.INVALID_CREDENTIALS, "bad code", null);
      }
      return new Principal("sso-user", Set.of(BuiltInRoles.VIEWER));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    provider.createContext("/authorize", ex -> {
      Map<String, String> q = new LinkedHashMap<>();
      for (String pair : ex.getRequestURI().getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        q.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
      String answer;
      if (deny.get()) {
        answer = "error=access_denied&state=" + q.get("state");
      } else {
        String code = UUID.randomUUID().toString();
        codes.put(code, q.get("state"));
        answer = "code=" + code + "&state=" + q.get("state");
      }
      ex.getResponseHeaders().add("Location", q.get("redirect_uri") + "?" + answer);
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    provider.start();

    Path orders = Files.writeString(dir.resolve("orders.jsonl"), "{\"id\":\"o1\"}\n");
    Sluice sluice = Sluice.builder().store(new InMemoryStore())
        .destination("all", batch -> dev.sluice.spi.DeliveryResult.success())
        .pipeline("orders", p -> p.source("file", Map.of("path", orders.toString())).route(r -> r.name("all").to("all")))
        .build();
    server = SluiceServer.create(sluice, ServerOptions.builder().port(0).accessPolicy(Fixture.POLICY)
        .browserLogin(new StubLogin()).httpDrainTimeout(Duration.ofSeconds(2)).build()).start();
    base = "http://127.0.0.1:" + server.port();

    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File("/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1280,800", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort().build(), options);
    wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  @AfterAll
  static void stop() {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      if (server != null) {
        server.stop();
      }
      if (provider != null) {
        provider.stop(0);
      }
    }
  }

  @Test
  void signsInWithTheButtonAndExplainsARefusal() {
    // Refused at the provider: back on the sign-in page with an explanation, the address cleaned up.
    deny.set(true);
    driver.get(base + "/");
    WebElement button = wait.until(d -> visible(d, By.cssSelector("#login-sso-list a")));
    assertThat(button.getText()).isEqualTo("Sign in with Stub SSO");
    assertThat(button.getDomAttribute("href")).isEqualTo("/api/v1/session/sso/stub");
    assertThat(driver.findElement(By.id("login-form")).isDisplayed()).as("no password login here").isFalse();
    assertThat(driver.switchTo().activeElement()).as("the button has the keyboard focus").isEqualTo(button);
    button.click();
    wait.until(d -> d.findElement(By.id("login-sso-error")).getText().contains("cancelled or refused"));
    assertThat(driver.getCurrentUrl()).doesNotContain("error=");

    // Approved: the cross-site redirect back carries the SameSite=Lax binding cookie, the session opens.
    deny.set(false);
    wait.until(d -> visible(d, By.cssSelector("#login-sso-list a"))).click();
    wait.until(d -> d.findElement(By.id("user-name")).getText().contains("sso-user"));
    wait.until(d -> "pipelines".equals(d.findElement(By.tagName("body")).getDomAttribute("data-page")));
    assertThat(driver.findElements(By.cssSelector("[data-pipeline='orders']"))).hasSize(1);
    assertThat(driver.manage().getCookieNamed("sluice_session").isHttpOnly()).isTrue();
    assertThat(driver.manage().getCookieNamed("sluice_sso")).as("the binding cookie is gone").isNull();

    // Signing out leaves the button for the next sign-in.
    driver.findElement(By.id("logout")).click();
    wait.until(d -> visible(d, By.cssSelector("#login-sso-list a")));
    assertThat(codes).isEmpty();
  }

  private static WebElement visible(WebDriver d, By by) {
    List<WebElement> found = d.findElements(by);
    return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
  }
}
