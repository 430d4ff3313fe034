package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.Sluice;
import dev.sluice.auth.BuiltInRoles;
import dev.sluice.auth.Principal;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.record.Record;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.spi.Destination;
import dev.sluice.store.Store;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's chromium, headless, driven by chromium-driver through
 * Selenium, against a {@link SluiceServer} on a random loopback port with the JDBC store on H2.
 *
 * <p>Pipeline {@code orders} reads eight records from a JSONL file; rule {@code big} (amount over
 * 100) sends five to {@code warehouse}, which refuses amounts over 1000 while {@link #refuse} is
 * set (two dead letters) and holds its first batch until {@link #gate} opens (so the test sees the
 * run live); rule {@code all} writes every record to a JSONL file ({@code archive}).
 *
 * <p>Steps run in order in one browser: sign in, run the pipeline and watch it finish, read the
 * data-flow counts, replay a dead letter, see a validation error in the configuration editor, check
 * the phone width, and finally that the browser's console stayed free of errors. Screenshots for
 * the user guide go to {@code docs/user-guide/images}. If chromium cannot start, the class fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserIT {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path IMAGES = Path.of("..", "docs", "user-guide", "images");

  @TempDir static Path dir;
  static final AtomicBoolean refuse = new AtomicBoolean(true);
  static final CountDownLatch gate = new CountDownLatch(1);
  static final List<Record> warehouse = new CopyOnWriteArrayList<>();
  static final List<String> consoleErrors = new CopyOnWriteArrayList<>();
  static final String password = UUID.randomUUID().toString();
  static final String adminToken = UUID.randomUUID().toString();
  static Store store;
  static Sluice sluice;
  static SluiceServer server;
  static String base;
  static ChromeDriver driver;
  static WebDriverWait wait;
  static String runId;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    Path orders = dir.resolve("orders.jsonl");
    int[] amounts = {50, 150, 2500, 20, 300, 1200, 75, 400};
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < amounts.length; i++) {
      lines.append("{\"id\":\"o").append(i + 1).append("\",\"amount\":").append(amounts[i]).append("}\n");
    }
    Files.writeString(orders, lines.toString());
    Destination warehouseDestination = batch -> {
      Map<Integer, DeliveryResult.RecordFailure> failures = new HashMap<>();
      boolean open;
      try {
        open = gate.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        open = false;
      }
      if (!open) {
        for (int i = 0; i < batch.records().size(); i++) {
          failures.put(i, DeliveryResult.RecordFailure.retryable("the test never opened the gate"));
        }
        return DeliveryResult.partial(failures);
      }
      for (int i = 0; i < batch.records().size(); i++) {
        Record r = batch.records().get(i);
        if (refuse.get() && r.data().path("amount").asLong() > 1000) {
          failures.put(i, DeliveryResult.RecordFailure.permanent("the warehouse refuses amounts over 1000"));
        } else {
          warehouse.add(r);
        }
      }
      return failures.isEmpty() ? DeliveryResult.success() : DeliveryResult.partial(failures);
    };
    store = JdbcStore.open(JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("sluice")).build());
    sluice = Sluice.builder()
        .store(store)
        .destination("warehouse", warehouseDestination)
        .destination("archive", "file", Map.of("path", dir.resolve("archive-{run}.jsonl").toString()))
        .pipeline("orders", p -> p
            .source("file", Map.of("path", orders.toString()))
            .cron("0 3 1 1 *") // once a year: shown as the next run, never fires during the test
            .route(r -> r.name("big").when("$.amount > 100").to("warehouse"))
            .route(r -> r.name("all").to("archive")))
        .build();
    sluice.start();
    server = SluiceServer.create(sluice, ServerOptions.builder()
        .port(0)
        .authenticator(req -> req.bearerToken()
            .map(t -> t.equals(adminToken)
                ? AuthResult.authenticated(new Principal("admin", Set.of(BuiltInRoles.ADMIN)))
                : AuthResult.rejected("unknown token"))
            .orElse(AuthResult.notApplicable()))
        .accessPolicy(Fixture.POLICY)
        .passwordLogin((user, pw, address) -> user.equals("ops") && new String(pw).equals(password)
            ? Optional.of(new Principal("ops", Set.of(BuiltInRoles.OPERATOR))) : Optional.empty())
        .progressInterval(Duration.ofMillis(100))
        .httpDrainTimeout(Duration.ofSeconds(5))
        .runsShutdownTimeout(Duration.ofSeconds(10))
        .build()).start();
    base = "http://127.0.0.1:" + server.port();

    // Debian's chromium and chromium-driver; Selenium Manager must not look for (or download) anything.
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(new File("/usr/bin/chromium"));
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1280,800", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver"))
        .usingAnyFreePort()
        .build();
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, WAIT);
    wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // pages re-render as data arrives
  }

  @AfterEach
  void collectConsole() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.WARNING.intValue()) {
        consoleErrors.add(e.getLevel() + " " + e.getMessage());
      }
    }
  }

  @AfterAll
  static void stop() {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      gate.countDown();
      if (server != null) {
        server.stop();
      }
      if (store != null) {
        store.close();
      }
    }
  }

  // ------------------------------------------------------------------ steps

  @Test
  @Order(1)
  void signsIn() {
    driver.get(base + "/");
    WebElement user = wait.until(d -> visible(d, By.id("login-user")));
    // A wrong password first: the form says so without saying which part was wrong.
    user.sendKeys("ops");
    driver.findElement(By.id("login-password")).sendKeys("not-" + password, Keys.ENTER);
    wait.until(d -> d.findElement(By.id("login-error")).getText().contains("wrong"));
    consoleErrors.removeIf(e -> true); // the 401 of that login is expected in the console
    driver.manage().logs().get(LogType.BROWSER);
    WebElement pw = driver.findElement(By.id("login-password"));
    pw.clear();
    pw.sendKeys(password, Keys.ENTER);
    wait.until(d -> d.findElement(By.id("user-name")).getText().contains("ops"));
    wait.until(d -> "pipelines".equals(d.findElement(By.tagName("body")).getDomAttribute("data-page")));
    assertThat(driver.findElement(By.id("login")).isDisplayed()).isFalse();
    assertThat(driver.findElements(By.cssSelector("[data-pipeline='orders']"))).hasSize(1);
    // The session cookie is invisible to scripts.
    assertThat(String.valueOf(js("return document.cookie"))).doesNotContain("sluice_session");
    assertThat(driver.manage().getCookieNamed("sluice_session").isHttpOnly()).isTrue();
  }

  @Test
  @Order(2)
  void runsThePipelineAndWatchesItFinish() throws Exception {
    driver.findElement(By.cssSelector("button[data-run='orders']")).click();
    wait.until(d -> "runs".equals(d.findElement(By.tagName("body")).getDomAttribute("data-page")));
    runId = driver.getCurrentUrl().replaceAll(".*#/runs/", "");
    // The warehouse holds the run: the page shows it running, with a cancel button and a progress bar.
    wait.until(d -> d.findElement(By.id("run-status")).getText().equals("running"));
    assertThat(driver.findElements(By.id("cancel-run"))).hasSize(1);
    assertThat(driver.findElements(By.id("run-progress"))).hasSize(1);
    gate.countDown();
    wait.until(d -> runId.equals(d.findElement(By.tagName("body")).getDomAttribute("data-run-ended")));
    JsonNode run = api("GET", "/api/v1/runs/" + runId);
    String status = run.path("status").asText();
    assertThat(status).isIn("SUCCEEDED");
    wait.until(d -> d.findElement(By.id("run-status")).getText().equals(status.toLowerCase()));
    assertThat(driver.findElements(By.id("cancel-run"))).isEmpty();
    assertThat(text("[data-total='read']")).isEqualTo(run.path("recordsRead").asText()).isEqualTo("8");
    assertThat(text("[data-total='dead']")).isEqualTo(run.path("recordsDeadLettered").asText()).isEqualTo("2");
    assertThat(text("[data-rule='big']")).isEqualTo("5");
    assertThat(text("[data-dest-delivered='archive']")).isEqualTo("8");
    assertThat(text("[data-dest-dead='warehouse']")).isEqualTo("2");
    screenshot("dashboard-run-detail.png");
  }

  @Test
  @Order(3)
  void theDataFlowShowsTheRunsRealCounts() throws Exception {
    driver.findElement(By.cssSelector("a[href='#/flow/orders']")).click();
    wait.until(d -> !d.findElements(By.id("flow-graph")).isEmpty());
    JsonNode counters = api("GET", "/api/v1/runs/" + runId).path("counters");
    assertThat(flow("source-read")).isEqualTo(counters.path("recordsRead").asLong()).isEqualTo(8);
    for (String rule : List.of("big", "all")) {
      assertThat(flow("rule:" + rule)).as("rule " + rule).isEqualTo(counters.path("ruleMatches").path(rule).asLong());
    }
    for (String d : List.of("warehouse", "archive")) {
      JsonNode dest = counters.path("destinations").path(d);
      assertThat(flow("dest-delivered:" + d)).as(d + " delivered").isEqualTo(dest.path("delivered").asLong());
      assertThat(flow("dest-dead:" + d)).as(d + " dead-lettered").isEqualTo(dest.path("deadLettered").asLong());
    }
    assertThat(flow("rule:big")).isEqualTo(5);
    assertThat(flow("dest-dead:warehouse")).isEqualTo(2);
    // The destination with dead letters is highlighted, the clean one is not.
    WebElement warehouseNode = driver.findElement(By.xpath("//*[@data-flow='dest-dead:warehouse']/ancestor::*[local-name()='g'][1]"));
    WebElement archiveNode = driver.findElement(By.xpath("//*[@data-flow='dest-dead:archive']/ancestor::*[local-name()='g'][1]"));
    assertThat(warehouseNode.getDomAttribute("class")).contains("bad");
    assertThat(archiveNode.getDomAttribute("class")).doesNotContain("bad");
    screenshot("dashboard-data-flow.png");

    // Test connection (the browser's user is an operator): the file destination and source check
    // out, the host's own lambda destination offers no check.
    for (String[] expected : List.of(new String[] {"destination-archive", "ok"}, new String[] {"source", "ok"},
        new String[] {"destination-warehouse", "unsupported"})) {
      driver.findElement(By.cssSelector("button[data-test='" + expected[0] + "']")).click();
      By result = By.cssSelector("[data-test-result='" + expected[0] + "'] .badge");
      wait.until(d -> !d.findElements(result).isEmpty());
      assertThat(driver.findElement(result).getText()).as(expected[0]).isEqualTo(expected[1]);
    }

    driver.findElement(By.cssSelector("a[data-nav='pipelines']")).click();
    wait.until(d -> !d.findElements(By.cssSelector("[data-pipeline='orders'] svg.chart rect.bar")).isEmpty());
    assertThat(driver.findElement(By.cssSelector("[data-pipeline='orders'] .badge")).getText()).isEqualTo("succeeded");
    String nextRun = api("GET", "/api/v1/pipelines/orders/schedule").path("nextRun").asText();
    assertThat(nextRun).endsWith("-01-01T03:00:00Z");
    WebElement next = driver.findElement(By.cssSelector("[data-pipeline='orders'] [data-next-run]"));
    assertThat(next.getDomAttribute("data-next-run")).isEqualTo(nextRun);
    assertThat(next.getText()).contains("cron");
    screenshot("dashboard-overview.png");
  }

  @Test
  @Order(4)
  void replaysADeadLetterOnceTheDestinationAccepts() throws Exception {
    refuse.set(false);
    int before = warehouse.size();
    driver.get(base + "/#/dead-letters?pipeline=orders");
    wait.until(d -> !d.findElements(By.id("dl-table")).isEmpty());
    assertThat(text("#dl-total")).isEqualTo("2");
    List<WebElement> replay = driver.findElements(By.cssSelector("button[data-replay]"));
    assertThat(replay).hasSize(2);
    String id = replay.get(0).getDomAttribute("data-replay");
    replay.get(0).click();
    wait.until(d -> d.findElement(By.id("dl-message")).getText().startsWith("Replayed 1: 1 delivered"));
    assertThat(text("#dl-total")).isEqualTo("1");
    assertThat(driver.findElements(By.cssSelector("button[data-replay='" + id + "']"))).isEmpty();
    assertThat(api("GET", "/api/v1/dead-letters?pipeline=orders").path("total").asInt()).isEqualTo(1);
    assertThat(warehouse).hasSize(before + 1);
    snapshot("dead-letters.png");
  }

  @Test
  @Order(5)
  void theConfigurationEditorShowsAProblemAtItsLine() {
    driver.findElement(By.cssSelector("a[data-nav='config']")).click();
    wait.until(d -> !d.findElements(By.id("config-valid")).isEmpty()); // the sample is valid
    WebElement text = driver.findElement(By.id("config-text"));
    text.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    text.sendKeys("destinations:\n  out: { type: log }\npipelines:\n  broken:\n    source: { type: no-such-connector }\n"
        + "    rules:\n      - name: everything\n        to: [ out ]\n");
    WebElement problem;
    try {
      problem = wait.until(d -> visible(d, By.cssSelector("#config-problems button")));
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("no problem shown; the editor says: " + text("#config-result") + "; text: "
          + text.getDomProperty("value"), e);
    }
    assertThat(problem.getText()).startsWith("Line 5").contains("no-such-connector");
    assertThat(text.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(driver.findElement(By.cssSelector("#config-gutter span[data-line='5']")).getDomAttribute("class"))
        .isEqualTo("bad");
    snapshot("config-editor.png");
    problem.click();
    assertThat(js("return document.activeElement.id")).isEqualTo("config-text");
  }

  @Test
  @Order(6)
  void theRuleTesterShowsEachRecordsTrace() {
    driver.findElement(By.cssSelector("a[data-nav='tester']")).click();
    WebElement records = wait.until(d -> visible(d, By.id("tester-records")));
    records.clear();
    records.sendKeys("{\"id\": \"t1\", \"amount\": 5000}\n{\"id\": \"t2\", \"amount\": 1}");
    driver.findElement(By.id("tester-key")).sendKeys("id");
    driver.findElement(By.id("tester-run")).click();
    wait.until(d -> d.findElements(By.cssSelector("[data-trace]")).size() == 2);
    String big = driver.findElement(By.cssSelector("[data-trace='t1'] pre")).getText();
    String small = driver.findElement(By.cssSelector("[data-trace='t2'] pre")).getText();
    assertThat(big).contains("big").contains("warehouse");
    assertThat(small).contains("archive").doesNotContain("warehouse");
    // Records that are not JSON are refused in the page, naming the line.
    records.clear();
    records.sendKeys("{\"id\": 1}\n{not json");
    driver.findElement(By.id("tester-run")).click();
    assertThat(wait.until(d -> visible(d, By.cssSelector("#tester-result [role='alert']"))).getText()).contains("line 2");
    snapshot("rule-tester.png");
  }

  @Test
  @Order(7)
  void thePipelinesPageFitsAPhoneWidth() {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", 375, "height", 812, "deviceScaleFactor", 1, "mobile", true));
    try {
      driver.get(base + "/#/pipelines");
      wait.until(d -> !d.findElements(By.cssSelector("[data-pipeline='orders'] svg.chart")).isEmpty());
      assertThat(((Number) js("return window.innerWidth")).intValue()).isEqualTo(375);
      long scroll = ((Number) js("return document.documentElement.scrollWidth")).longValue();
      long client = ((Number) js("return document.documentElement.clientWidth")).longValue();
      assertThat(scroll).as("no horizontal scroll at 375 px").isLessThanOrEqualTo(client);
      // Keyboard: the first tab stops are real links and buttons with visible labels.
      driver.findElement(By.tagName("body")).sendKeys(Keys.TAB);
      WebElement first = driver.switchTo().activeElement();
      assertThat(first.getTagName()).isIn("a", "button");
      assertThat(first.getText()).isNotBlank();
      snapshot("phone-pipelines.png");
      driver.get(base + "/#/flow/orders");
      wait.until(d -> !d.findElements(By.id("flow-graph")).isEmpty());
      assertThat(((Number) js("return document.documentElement.scrollWidth")).longValue())
          .as("the data-flow graph scales down to 375 px").isLessThanOrEqualTo(client);
      snapshot("phone-flow.png");
    } finally {
      driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
      driver.manage().window().setSize(new Dimension(1280, 800));
    }
  }

  @Test
  @Order(8)
  void theConsoleHasNoErrors() {
    collectConsole();
    assertThat(consoleErrors).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private static WebElement visible(WebDriver d, By by) {
    List<WebElement> found = d.findElements(by);
    return !found.isEmpty() && found.get(0).isDisplayed() ? found.get(0) : null;
  }

  private static String text(String css) {
    return driver.findElement(By.cssSelector(css)).getText().trim();
  }

  private static long flow(String key) {
    return Long.parseLong(driver.findElement(By.cssSelector("[data-flow='" + key + "']")).getText().trim());
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private static void screenshot(String name) throws IOException {
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    assertThat(png).hasSizeGreaterThan(1000);
    if (Files.isDirectory(IMAGES.getParent())) {
      Files.createDirectories(IMAGES);
      Files.write(IMAGES.resolve(name), png);
    }
  }

  /** A screenshot for reviewers, kept in target/ (not in the docs). */
  private static void snapshot(String name) {
    try {
      Path dirOut = Files.createDirectories(Path.of("target", "dashboard-screenshots"));
      Files.write(dirOut.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static JsonNode api(String method, String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Authorization", "Bearer " + adminToken)
        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isLessThan(300);
    return Fixture.JSON.readTree(r.body());
  }
}
