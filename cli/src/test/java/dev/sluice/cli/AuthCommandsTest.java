package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.auth.LocalAuth;
import dev.sluice.config.ConfigLoader;
import dev.sluice.spi.AuthResult;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.store.AuditEvent;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice users}, {@code api-keys} and {@code roles} on an H2 file store. */
class AuthCommandsTest {
  @TempDir Path dir;
  private Path config;

  @BeforeEach
  void writeConfig() throws Exception {
    config = dir.resolve("sluice.yaml");
    Files.writeString(config, "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/auth") + "\" }\n"
        + "secrets:\n  key: master-" + UUID.randomUUID() + "\n");
  }

  private SluiceCliTest.Result run(String stdin, String... args) {
    String[] withConfig = new String[args.length + 2];
    System.arraycopy(args, 0, withConfig, 0, args.length);
    withConfig[args.length] = "-c";
    withConfig[args.length + 1] = config.toString();
    InputStream original = System.in;
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      return SluiceCliTest.sluice(withConfig);
    } finally {
      System.setIn(original);
    }
  }

  private <T> T withAuth(java.util.function.Function<LocalAuth, T> f) {
    try (ConfigLoader.SecretsAccess access = ConfigLoader.create(ProviderRegistry.discover(getClass().getClassLoader(), List.of()))
        .openSecrets(List.of(config))) {
      return f.apply(LocalAuth.builder(access.store(), access.secrets()).build());
    }
  }

  @Test
  void usersAddReadsThePasswordFromStandardInputAndItWorksForLogin() {
    String password = "pw-" + UUID.randomUUID();
    SluiceCliTest.Result add = run(password + "\n", "users", "add", "alice", "--role", "operator,viewer");
    assertThat(add.exit()).as(add.err()).isZero();
    assertThat(add.out()).contains("created user 'alice' with roles [operator, viewer]");
    assertThat(add.out() + add.err()).doesNotContain(password);

    dev.sluice.auth.TokenPair pair = withAuth(a -> a.login("alice", password.toCharArray(), null));
    assertThat(pair.accessToken()).isNotBlank();

    SluiceCliTest.Result list = run("", "users", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("alice").contains("operator,viewer").contains("yes");
    assertThat(list.out()).doesNotContain("pbkdf2");

    // Audited as the CLI.
    List<AuditEvent> events = withAuth(a -> a.auditEvents(Long.MAX_VALUE, 10));
    assertThat(events).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("user.create");
      assertThat(e.actor()).startsWith("cli:");
      assertThat(e.target()).isEqualTo("alice");
    });
  }

  @Test
  void thereIsNoWayToPassAPasswordOnTheCommandLine() {
    SluiceCliTest.Result r = run("", "users", "add", "bob", "--role", "viewer", "--password", "hunter2-hunter2");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("Unknown option").contains("'--password'");
    SluiceCliTest.Result empty = run("", "users", "add", "bob", "--role", "viewer");
    assertThat(empty.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(empty.err()).contains("no password given");
  }

  @Test
  void weakPasswordsAndUnknownRolesAreRefusedWithTheReason() {
    SluiceCliTest.Result weak = run("password1234\n", "users", "add", "bob", "--role", "viewer");
    assertThat(weak.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(weak.err()).contains("common or breached").contains("no user was created").doesNotContain("password1234");
    SluiceCliTest.Result role = run("pw-" + UUID.randomUUID() + "\n", "users", "add", "bob", "--role", "superuser");
    assertThat(role.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(role.err()).contains("unknown role [superuser]");
    assertThat(run("", "users", "list").out()).doesNotContain("bob");
  }

  @Test
  void passwdDisableEnableAndRoles() {
    String first = "pw-" + UUID.randomUUID();
    assertThat(run(first + "\n", "users", "add", "carol", "-r", "viewer").exit()).isZero();
    String second = "pw-" + UUID.randomUUID();
    SluiceCliTest.Result passwd = run(second + "\n", "users", "passwd", "carol");
    assertThat(passwd.exit()).as(passwd.err()).isZero();
    dev.sluice.auth.TokenPair pair = withAuth(a -> a.login("carol", second.toCharArray(), null));
    assertThat(pair.accessToken()).isNotBlank();

    assertThat(run("", "users", "roles", "carol", "operator").exit()).isZero();
    assertThat(run("", "users", "roles", "carol").out().strip()).isEqualTo("operator");

    assertThat(run("", "users", "disable", "carol").out()).contains("disabled user 'carol'");
    assertThat(run("", "users", "list").out()).containsPattern("carol\\s+operator\\s+no");
    assertThat(run("", "users", "enable", "carol").exit()).isZero();
    assertThat(run("", "users", "disable", "nobody").err()).contains("no user named 'nobody'");
  }

  @Test
  void lockedUsersAreShownAndCanBeUnlocked() {
    String password = "pw-" + UUID.randomUUID();
    assertThat(run(password + "\n", "users", "add", "dora", "-r", "viewer").exit()).isZero();
    int failures = withAuth(a -> {
      int n = 0;
      for (int i = 0; i < 5; i++) {
        try {
          a.login("dora", ("wrong-" + UUID.randomUUID()).toCharArray(), "192.0.2.44");
        } catch (dev.sluice.auth.AuthenticationException expected) {
          n++;
        }
      }
      return n;
    });
    assertThat(failures).isEqualTo(5);
    SluiceCliTest.Result lockouts = run("", "users", "lockouts");
    assertThat(lockouts.out()).containsPattern("user:dora\\s+5\\s+\\S+\\s+\\d{4}-")
        .containsPattern("address:192.0.2.44\\s+5\\s+\\S+\\s+-");
    assertThat(run("", "users", "list").out()).containsPattern("dora\\s+viewer\\s+yes\\s+\\d{4}-");
    assertThat(run("", "users", "unlock", "dora").out()).contains("cleared failed logins of dora");
    assertThat(run("", "users", "lockouts").out()).doesNotContain("user:dora");
    dev.sluice.auth.TokenPair pair = withAuth(a -> a.login("dora", password.toCharArray(), "192.0.2.44"));
    assertThat(pair.accessToken()).isNotBlank();
  }

  @Test
  void apiKeysCreateListRevoke() {
    SluiceCliTest.Result created = run("", "api-keys", "create", "--name", "ci deploys", "--owner", "ci-bot",
        "--role", "operator", "--expires", "30d");
    assertThat(created.exit()).as(created.err()).isZero();
    String key = created.out().strip();
    assertThat(key).startsWith("sluice_ak_");
    assertThat(created.err()).contains("shown only now");
    AuthResult.Status before = withAuth(a -> a.verifyApiKey(key).status());
    assertThat(before).isEqualTo(AuthResult.Status.AUTHENTICATED);

    SluiceCliTest.Result list = run("", "api-keys", "list");
    assertThat(list.out()).contains("ci deploys").contains("ci-bot").contains("active").doesNotContain(key)
        .doesNotContain(key.substring(10, 30));
    String id = list.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
    assertThat(id).startsWith("ak_");

    assertThat(run("", "api-keys", "revoke", id).out()).contains("revoked API key " + id);
    assertThat(run("", "api-keys", "list").out()).contains("revoked");
    AuthResult.Status after = withAuth(a -> a.verifyApiKey(key).status());
    assertThat(after).isEqualTo(AuthResult.Status.REJECTED);
    assertThat(run("", "api-keys", "revoke", id).exit()).isEqualTo(ExitCodes.ERROR);
    assertThat(run("", "api-keys", "create", "--name", "x", "--owner", "o", "--role", "viewer", "--expires", "soon")
        .err()).contains("--expires 'soon' is neither");
  }

  @Test
  void expiryParsing() {
    Instant now = Instant.parse("2026-06-01T00:00:00Z");
    assertThat(AuthCommands.ApiKeys.expiry("90d", now)).isEqualTo(now.plus(Duration.ofDays(90)));
    assertThat(AuthCommands.ApiKeys.expiry("12h", now)).isEqualTo(now.plus(Duration.ofHours(12)));
    assertThat(AuthCommands.ApiKeys.expiry("PT30M", now)).isEqualTo(now.plus(Duration.ofMinutes(30)));
    assertThat(AuthCommands.ApiKeys.expiry("2027-01-31T00:00:00Z", now)).isEqualTo(Instant.parse("2027-01-31T00:00:00Z"));
  }

  @Test
  void rolesListAndShow() {
    SluiceCliTest.Result list = run("", "roles", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("viewer").contains("operator").contains("admin").contains("built-in");
    SluiceCliTest.Result show = run("", "roles", "show", "operator");
    assertThat(show.out()).contains("runs:trigger").contains("dead-letters:replay").doesNotContain("users:admin");
    assertThat(run("", "roles", "show", "nope").err()).contains("no role named 'nope'");
  }

  @Test
  void secretChangesAreAudited() {
    assertThat(run("v-" + UUID.randomUUID() + "\n", "secret", "set", "hubspot_token").exit()).isZero();
    List<AuditEvent> events = withAuth(a -> a.auditEvents(Long.MAX_VALUE, 10));
    assertThat(events).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("secret.set");
      assertThat(e.target()).isEqualTo("hubspot_token");
    });
  }
}
