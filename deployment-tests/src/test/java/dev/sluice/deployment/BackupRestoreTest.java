package dev.sluice.deployment;

import static dev.sluice.deployment.Proc.script;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.Sluice;
import dev.sluice.auth.Secrets;
import dev.sluice.jdbc.JdbcStore;
import dev.sluice.jdbc.JdbcStoreOptions;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.jdbc.testing.TestPostgres;
import dev.sluice.pipeline.RunReport;
import dev.sluice.spi.DeliveryException;
import dev.sluice.spi.DeliveryResult;
import dev.sluice.store.DeadLetterQuery;
import dev.sluice.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/backup.sh for real: a store filled through the Sluice API (a pipeline's runs, its
 * checkpoint and dead letters, encrypted secrets) is backed up, wiped, restored, and reads the same;
 * the verify step catches a damaged backup and a database that differs from it.
 */
class BackupRestoreTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The embedded PostgreSQL (version: deployment-tests.postgres.version, for Debian's pg_dump 15). */
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  /** What a store holds, read through the Store API (and the secrets decrypted). */
  record Snapshot(Object checkpoint, List<?> runs, List<?> deadLetters, Map<String, String> secrets) {}

  abstract static class RoundTrip {
    @TempDir Path tmp;
    final String passphrase = HexFormat.of().formatHex(RANDOM.generateSeed(16));
    final Map<String, String> secretValues = Map.of(
        "hubspot_token", "tok-" + HexFormat.of().formatHex(RANDOM.generateSeed(12)),
        "slack_url", "https://hooks.example.test/" + HexFormat.of().formatHex(RANDOM.generateSeed(8)));

    abstract JdbcStoreOptions options();

    abstract String url();

    /** Drops everything, as a lost database would be. */
    abstract void wipe() throws Exception;

    abstract int tableCount() throws Exception;

    abstract List<String> extraArgs();

    abstract String deleteOneRunSql();

    /** The backup as SQL text. */
    abstract String backupText(Path file) throws Exception;

    Proc backup(String... args) {
      List<String> all = new ArrayList<>(List.of(script("backup.sh")));
      all.addAll(List.of(args));
      all.addAll(extraArgs());
      return Proc.run(Map.of(), tmp, 300, all.toArray(String[]::new));
    }

    /** Two runs of a pipeline with a rejecting destination, and two secrets. */
    void populate() throws Exception {
      Path input = tmp.resolve("orders.jsonl");
      Files.writeString(input, "{\"id\":1,\"amount\":50}\n{\"id\":2,\"amount\":500}\n{\"id\":3,\"amount\":70}\n");
      try (JdbcStore store = JdbcStore.open(options())) {
        try (Sluice sluice = Sluice.builder()
            .store(store)
            .destination("all", "file", Map.of("path", tmp.resolve("out.jsonl").toString(), "mode", "append"))
            .destination("review", batch -> {
              throw DeliveryException.permanent("review queue is closed");
            })
            .pipeline("orders", p -> p
                .source("file", Map.of("path", input.toString(), "key", "id"))
                .route(r -> r.name("big").when("$.amount > 100").to("review"))
                .route(r -> r.name("every").to("all")))
            .build()) {
          RunReport first = sluice.run("orders");
          Files.writeString(input, "{\"id\":4,\"amount\":900}\n", java.nio.file.StandardOpenOption.APPEND);
          RunReport second = sluice.run("orders");
          assertThat(first.toString()).isNotEmpty();
          assertThat(second.toString()).isNotEmpty();
        }
        Secrets secrets = Secrets.open(store.secrets().orElseThrow(), passphrase.toCharArray());
        secretValues.forEach(secrets::put);
      }
    }

    Snapshot snapshot() {
      try (JdbcStore store = JdbcStore.open(JdbcStoreOptions.builder().url(options().url())
          .username(options().username()).password(options().password()).migrate(false).build())) {
        Secrets secrets = Secrets.open(store.secrets().orElseThrow(), passphrase.toCharArray());
        Map<String, String> plain = new TreeMap<>();
        for (String name : secrets.names()) {
          plain.put(name, secrets.get(name).orElseThrow());
        }
        return snapshotOf(store, plain);
      }
    }

    private static Snapshot snapshotOf(Store store, Map<String, String> secrets) {
      return new Snapshot(store.checkpoints().position("orders").orElse(null), store.runs().list("orders", 100),
          store.deadLetters().list(DeadLetterQuery.all()), secrets);
    }

    @Test
    void backUpWipeRestoreAndTheStoreReadsTheSame() throws Exception {
      populate();
      Snapshot before = snapshot();
      assertThat(before.checkpoint()).as("a committed checkpoint").isNotNull();
      assertThat(before.runs()).hasSize(2);
      assertThat(before.deadLetters()).as("orders 2 and 4 went to the rejecting destination").hasSize(2);
      assertThat(before.secrets()).isEqualTo(new TreeMap<>(secretValues));

      Path file = tmp.resolve("backups/sluice.backup");
      Proc backup = backup("backup", "--url", url(), "--file", file.toString());
      assertThat(backup.exitCode).as(backup.describe()).isZero();
      assertThat(backup.out).contains("verified " + file + ": checksum ok");
      String manifest = Files.readString(Path.of(file + ".manifest"));
      assertThat(manifest.toLowerCase()).contains("sluice_runs\t2\n").contains("sluice_dead_letters\t2\n")
          .contains("sluice_secrets\t2\n").contains("sluice_checkpoints\t1\n");
      assertThat(Files.readString(Path.of(file + ".sha256"))).endsWith("  sluice.backup\n");
      for (String secret : secretValues.values()) {
        assertThat(backup.out + backup.err).doesNotContain(secret);
        assertThat(backupText(file)).as("secrets are stored encrypted").doesNotContain(secret);
      }

      wipe();
      assertThat(tableCount()).as("the wiped database").isZero();

      Proc restore = backup("restore", "--url", url(), "--file", file.toString());
      assertThat(restore.exitCode).as(restore.describe()).isZero();
      assertThat(restore.out).contains("verified " + url() + ": every table has the rows of " + file + ".manifest");
      assertThat(snapshot()).isEqualTo(before);

      // The restored store works: another run continues from the restored checkpoint.
      Files.writeString(tmp.resolve("orders.jsonl"), "{\"id\":5,\"amount\":10}\n", java.nio.file.StandardOpenOption.APPEND);
      try (JdbcStore store = JdbcStore.open(options());
          Sluice sluice = Sluice.builder().store(store)
              .destination("all", "file", Map.of("path", tmp.resolve("out2.jsonl").toString()))
              .pipeline("orders", p -> p.source("file", Map.of("path", tmp.resolve("orders.jsonl").toString(), "key", "id"))
                  .route(r -> r.name("every").to("all")))
              .build()) {
        sluice.run("orders");
      }
      assertThat(Files.readString(tmp.resolve("out2.jsonl"))).as("only the record appended after the backup").contains("\"id\":5")
          .doesNotContain("\"id\":1").doesNotContain("\"id\":4");
    }

    @Test
    void restoreRefusesADatabaseWithTablesUnlessForced() throws Exception {
      populate();
      Path file = tmp.resolve("b.backup");
      assertThat(backup("backup", "--url", url(), "--file", file.toString()).exitCode).isZero();
      Proc refused = backup("restore", "--url", url(), "--file", file.toString());
      assertThat(refused.exitCode).isEqualTo(1);
      assertThat(refused.err).contains("already has").contains("pass --force to replace them");
      Snapshot before = snapshot();
      Proc forced = backup("restore", "--url", url(), "--file", file.toString(), "--force");
      assertThat(forced.exitCode).as(forced.describe()).isZero();
      assertThat(snapshot()).isEqualTo(before);
      Proc again = backup("backup", "--url", url(), "--file", file.toString());
      assertThat(again.exitCode).isEqualTo(1);
      assertThat(again.err).contains(file + " exists: pass --force to overwrite it");
    }

    @Test
    void verifyCatchesADamagedBackupAndADatabaseThatDiffers() throws Exception {
      populate();
      Path file = tmp.resolve("v.backup");
      assertThat(backup("backup", "--url", url(), "--file", file.toString()).exitCode).isZero();
      Proc ok = backup("verify", "--file", file.toString(), "--url", url());
      assertThat(ok.exitCode).as(ok.describe()).isZero();

      try (Connection c = java.sql.DriverManager.getConnection(options().url(), options().username(), options().password());
          Statement s = c.createStatement()) {
        s.executeUpdate(deleteOneRunSql());
      }
      Proc differs = backup("verify", "--file", file.toString(), "--url", url());
      assertThat(differs.exitCode).isEqualTo(1);
      assertThat(differs.err).containsIgnoringCase("sluice_runs\t2").containsIgnoringCase("sluice_runs\t1");

      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length / 2] ^= 0x5a;
      Files.write(file, bytes);
      Proc damaged = backup("verify", "--file", file.toString());
      assertThat(damaged.exitCode).isEqualTo(1);
      assertThat(damaged.err).contains("does not match its checksum");
    }
  }

  @Nested
  class Postgres extends RoundTrip {
    private String database;

    private TestPostgres server() {
      return PG.server();
    }

    private String database() {
      if (database == null) {
        database = server().createDatabase();
      }
      return database;
    }

    @Override
    JdbcStoreOptions options() {
      return JdbcStoreOptions.builder().url(server().jdbcUrl(database())).username("postgres").build();
    }

    @Override
    String url() {
      return server().jdbcUrl(database());
    }

    @Override
    List<String> extraArgs() {
      return List.of("--user", "postgres");
    }

    @Override
    String deleteOneRunSql() {
      return "DELETE FROM sluice_runs WHERE id = (SELECT min(id) FROM sluice_runs)";
    }

    @Override
    String backupText(Path file) {
      Proc p = Proc.run("pg_restore", "--file=-", file.toString());
      assertThat(p.exitCode).as(p.describe()).isZero();
      assertThat(p.out).contains("COPY public.sluice_secrets");
      return p.out;
    }

    @Override
    void wipe() throws Exception {
      try (Connection c = server().dataSource(database()).getConnection(); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA public CASCADE");
        s.execute("CREATE SCHEMA public");
      }
    }

    @Override
    int tableCount() throws Exception {
      try (Connection c = server().dataSource(database()).getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
        rs.next();
        return rs.getInt(1);
      }
    }

    @Test
    void pgDumpIsNotOlderThanTheServer() {
      Proc p = Proc.run("pg_dump", "--version");
      assertThat(p.exitCode).as("pg_dump is installed (Debian: postgresql-client; .ci/run installs it)\n" + p.describe()).isZero();
      int client = Integer.parseInt(p.out.replaceAll("^[^0-9]*([0-9]+).*\\s*$", "$1").trim());
      try (Connection c = server().dataSource("postgres").getConnection()) {
        assertThat(client).isGreaterThanOrEqualTo(c.getMetaData().getDatabaseMajorVersion());
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Nested
  class H2 extends RoundTrip {
    @Override
    JdbcStoreOptions options() {
      return JdbcStoreOptions.builder().url(url()).build();
    }

    @Override
    String url() {
      return "jdbc:h2:file:" + tmp.resolve("data/sluice");
    }

    @Override
    List<String> extraArgs() {
      try {
        return List.of("--jar", Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString(),
            "--java", Proc.java());
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    String deleteOneRunSql() {
      return "DELETE FROM sluice_runs WHERE id = (SELECT MIN(id) FROM sluice_runs)";
    }

    @Override
    String backupText(Path file) throws Exception {
      try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
        String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).contains("INSERT INTO \"PUBLIC\".\"SLUICE_SECRETS\"");
        return text;
      }
    }

    @Override
    void wipe() throws Exception {
      try (var files = Files.list(tmp.resolve("data"))) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
    }

    @Override
    int tableCount() throws Exception {
      try (Connection c = java.sql.DriverManager.getConnection(url() + ";IFEXISTS=FALSE", "", "");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")) {
        rs.next();
        return rs.getInt(1);
      }
    }

    @Test
    void inMemoryDatabasesAreRefusedWithAReason() {
      Proc p = backup("backup", "--url", "jdbc:h2:mem:x", "--file", tmp.resolve("m.backup").toString());
      assertThat(p.exitCode).isEqualTo(1);
      assertThat(p.err).contains("jdbc:h2:mem:x is an in-memory H2 database");
    }
  }

  @Test
  void dryRunsPrintTheCommandsWithoutThePassword(@TempDir Path dir) throws Exception {
    Path pw = dir.resolve("pw");
    String password = "pw-" + HexFormat.of().formatHex(RANDOM.generateSeed(8));
    Files.writeString(pw, password);
    Proc pg = Proc.run(Map.of(), dir, 60, script("backup.sh"), "backup", "--dry-run", "--url",
        "jdbc:postgresql://db.internal:6543/sluice?ssl=true", "--user", "sluice", "--password-file", pw.toString(),
        "--file", "/backups/s.dump");
    assertThat(pg.exitCode).as(pg.describe()).isZero();
    assertThat(pg.lines()).containsExactly(
        "+ env 'PGPASSWORD=****' pg_dump --host=db.internal --port=6543 --username=sluice --dbname=sluice"
            + " --format=custom --no-owner --no-privileges --file=/backups/s.dump",
        "+ (write /backups/s.dump.manifest: rows per table counted from /backups/s.dump)",
        "+ sha256sum s.dump > /backups/s.dump.sha256",
        "+ sha256sum --check /backups/s.dump.sha256",
        "+ (count the rows in /backups/s.dump and compare them with /backups/s.dump.manifest)");
    assertThat(pg.out + pg.err).doesNotContain(password);

    Proc h2 = Proc.run(Map.of("SLUICE_DB_PASSWORD", password), dir, 60, script("backup.sh"), "restore", "--dry-run",
        "--url", "jdbc:h2:file:/var/lib/sluice/data/sluice", "--user", "sa", "--jar", "/opt/sluice/lib/sluice.jar",
        "--file", "/backups/s.sql.gz");
    assertThat(h2.exitCode).as(h2.describe()).isZero();
    assertThat(h2.lines()).containsExactly(
        "+ sha256sum --check /backups/s.sql.gz.sha256",
        "+ (count the rows in /backups/s.sql.gz and compare them with /backups/s.sql.gz.manifest)",
        "+ java -cp /opt/sluice/lib/sluice.jar org.h2.tools.Shell -url jdbc:h2:file:/var/lib/sluice/data/sluice -user sa"
            + " -password '****' -sql 'DROP ALL OBJECTS; RUNSCRIPT FROM '\\''/backups/s.sql.gz'\\'' COMPRESSION GZIP'",
        "+ (count the rows of every table of jdbc:h2:file:/var/lib/sluice/data/sluice and compare them with"
            + " /backups/s.sql.gz.manifest)");
    assertThat(h2.out + h2.err).doesNotContain(password);
  }
}
