package dev.sluice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.sluice.auth.SecretBox;
import dev.sluice.auth.Secrets;
import dev.sluice.auth.WrongMasterKeyException;
import dev.sluice.jdbc.internal.Pools;
import dev.sluice.jdbc.testing.PostgresExtension;
import dev.sluice.store.SecretStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store whose secrets were written by Sluice before key records (format version 1: one salt for
 * every installation, 210,000 iterations) is readable with its passphrase, and the first open
 * re-encrypts every secret in the current format under a key with the store's own salt.
 */
class SecretsUpgradeTest {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String PASSPHRASE = "correct horse battery staple";

  /**
   * Ciphertexts as the SecretBox of commit 9e3f646 (before this format change) wrote them, with
   * {@link #PASSPHRASE}: the bytes an upgraded installation has in {@code sluice_secrets}.
   */
  private static final Map<String, String> VERSION_1 = Map.of(
      "hubspot_token", "01ff74910e7af5630502059c3bd15882a2eee09d04702a81ac043f055240e32ef43dfe1a0742f78a3e5c8b3784a2fc",
      "slack_url", "01638bd2323294790c796368531f592b1215a840589db22325938264f87b67e347cb0fd7d2a333fe8bc954225299012d5c"
          + "c9b75bda3510c346772b0eb9164e926b25fee09182e6");

  abstract static class Contract {
    abstract JdbcStoreOptions options();

    /** Puts the version 1 rows into a migrated store's table, as the old version left them. */
    private void writeVersion1Rows() throws Exception {
      JdbcStoreOptions o = options();
      try (HikariDataSource ds = Pools.create("old-sluice", o.url(), o.username(), null, 1, Duration.ofSeconds(10),
          true, Map.of()); Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("INSERT INTO sluice_secrets (name, ciphertext, updated_at) VALUES (?, ?, ?)")) {
        for (Map.Entry<String, String> e : VERSION_1.entrySet()) {
          ps.setString(1, e.getKey());
          ps.setBytes(2, HexFormat.of().parseHex(e.getValue()));
          ps.setTimestamp(3, Timestamp.from(Instant.parse("2025-06-01T00:00:00Z")));
          ps.executeUpdate();
        }
      }
    }

    @Test
    void version1SecretsAreReadableAndReencryptedOnFirstOpen() throws Exception {
      try (JdbcStore store = JdbcStore.open(options())) {
        writeVersion1Rows();
        SecretStore raw = store.secrets().orElseThrow();
        assertThat(raw.keyRecord()).isEmpty();

        Secrets secrets = Secrets.open(raw, PASSPHRASE.toCharArray());

        assertThat(secrets.get("hubspot_token")).contains("pat-na1-0123456789");
        assertThat(secrets.get("slack_url")).contains("https://hooks.slack.example/T000/B000/XXXX");
        assertThat(raw.keyRecord()).hasValueSatisfying(k -> {
          assertThat(k.id()).isEqualTo(secrets.keyId());
          assertThat(k.parameters()).startsWith("$pbkdf2-sha256$i=600000$");
        });
        for (String name : VERSION_1.keySet()) {
          byte[] now = raw.get(name).orElseThrow();
          assertThat(SecretBox.version(now)).as(name + " upgraded").isEqualTo(2);
          assertThat(SecretBox.keyId(now)).isEqualTo(secrets.keyId());
        }
      }
      try (JdbcStore reopened = JdbcStore.open(options())) {
        Secrets again = Secrets.open(reopened.secrets().orElseThrow(), PASSPHRASE.toCharArray());
        assertThat(again.get("hubspot_token")).as("read under the new key").contains("pat-na1-0123456789");
      }
    }

    @Test
    void aWrongPassphraseLeavesVersion1SecretsAsTheyWere() throws Exception {
      try (JdbcStore store = JdbcStore.open(options())) {
        writeVersion1Rows();
        SecretStore raw = store.secrets().orElseThrow();
        assertThatThrownBy(() -> Secrets.open(raw, "not the passphrase at all".toCharArray()))
            .isInstanceOf(WrongMasterKeyException.class)
            .hasMessageContaining("does not decrypt secret")
            .hasMessageContaining("nothing was changed")
            .hasMessageNotContaining("not the passphrase").hasMessageNotContaining(PASSPHRASE)
            .hasMessageNotContaining("pat-na1");
        assertThat(raw.keyRecord()).isEmpty();
        assertThat(raw.get("slack_url").map(HexFormat.of()::formatHex)).contains(VERSION_1.get("slack_url"));
      }
    }
  }

  @Nested
  class OnH2 extends Contract {
    @TempDir Path dir;

    @Override
    JdbcStoreOptions options() {
      return JdbcStoreOptions.builder().url("jdbc:h2:file:" + dir.resolve("old")).build();
    }
  }

  @Nested
  class OnPostgres extends Contract {
    private final String url = PG.server().jdbcUrl(PG.server().createDatabase());

    @Override
    JdbcStoreOptions options() {
      return JdbcStoreOptions.builder().url(url).username("postgres").build();
    }
  }
}
