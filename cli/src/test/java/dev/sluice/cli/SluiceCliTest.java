package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.config.ConfigLoader;
import dev.sluice.spi.ProviderRegistry;
import dev.sluice.testkit.PluginJars;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SluiceCliTest {
  @TempDir Path dir;

  record Result(int exit, String out, String err) {}

  static Result sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = SluiceCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(exit, out.toString(), err.toString());
  }

  private Path config(String yaml) throws Exception {
    Path p = dir.resolve("sluice.yaml");
    Files.writeString(p, yaml);
    return p;
  }

  private Path orders(int n) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      sb.append("{\"id\":").append(i).append(",\"amount\":").append(i % 10 == 0 ? 5000 : 10).append("}\n");
    }
    Path p = dir.resolve("orders.jsonl");
    Files.writeString(p, sb);
    return p;
  }

  private String pipelineYaml(Path input, String extraRule) {
    return """
        store: { type: memory }
        destinations:
          big: { type: file, path: %s }
          all: { type: file, path: %s }
        pipelines:
          orders:
            source: { type: file, path: %s, key: id }
            rules:
              - { name: big, when: "$.amount > 1000", to: big }
              - { name: all, to: all }
        %s""".formatted(dir.resolve("out/big.jsonl"), dir.resolve("out/all.jsonl"), input, extraRule);
  }

  @Test
  void validateExitsZeroOnTheQuickstartConfig() {
    Result r = sluice("validate", "-c", "../examples/quickstart/sluice.yaml");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("OK: ../examples/quickstart/sluice.yaml");
  }

  @Test
  void theQuickstartConfigKeepsEveryOrderAcrossIncrementalRuns() throws Exception {
    // The shipped examples/quickstart/sluice.yaml, its relative paths and default H2 file moved here.
    String shipped = Files.readString(Path.of("../examples/quickstart/sluice.yaml"));
    String yaml = "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("data/sluice") + "\" }\n" + shipped
        .replace("path: out/", "path: " + dir.resolve("out") + "/")
        .replace("path: orders.jsonl", "path: " + dir.resolve("orders.jsonl"));
    assertThat(yaml).doesNotContain("path: out/").doesNotContain("path: orders.jsonl");
    Path c = config(yaml);
    Path input = orders(20);
    assertThat(sluice("once", "orders", "-c", c.toString(), "--progress", "off").exit()).isZero();
    Files.writeString(input, "{\"id\":21,\"amount\":5000}\n{\"id\":22,\"amount\":10}\n",
        java.nio.file.StandardOpenOption.APPEND);
    Result second = sluice("once", "orders", "-c", c.toString(), "--progress", "off");
    assertThat(second.exit()).as(second.err()).isZero();
    assertThat(second.out()).containsPattern("records read +2 ");

    List<String> csv = Files.readAllLines(dir.resolve("out/orders.csv"));
    assertThat(csv).as("the header once, then all 22 orders").hasSize(23);
    assertThat(csv.get(0)).startsWith("id,");
    assertThat(csv.get(22)).startsWith("22,");
    assertThat(Files.readAllLines(dir.resolve("out/alerts.jsonl"))).as("orders over 1000: 10, 20 and 21").hasSize(3);
  }

  @Test
  void validateListsEveryProblemWithLocationAndExitsThree() throws Exception {
    Path c = config("""
        destinations:
          alerts: { type: file, pth: a.jsonl }
        pipelines:
          orders:
            source: { type: file, path: orders.jsonl }
            rules:
              - { when: "$.amount => 5", to: [alert] }
        """);
    Result r = sluice("validate", "-c", c.toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err().lines().toList()).containsExactly(
        c + ":2:11 /destinations/alerts: missing required key 'path'",
        c + ":2:25 /destinations/alerts/pth: unknown key 'pth'; did you mean 'path'?",
        c + ":7:17 /pipelines/orders/rules/0/when: unknown operator '=>' (expected one of == != < <= > >= in nin =~"
            + " contains startsWith endsWith exists empty) (at character 10 of \"$.amount => 5\")",
        c + ":7:39 /pipelines/orders/rules/0/to/0: destination 'alert' is not defined; did you mean 'alerts'?",
        "4 problems");
  }

  @Test
  void aMissingConfigFileIsAProblemNotACrash() {
    Result r = sluice("validate", "-c", dir.resolve("nope.yaml").toString());
    assertThat(r.exit()).isEqualTo(3);
    assertThat(r.err()).contains("nope.yaml:0:0 /: can't read the file: it does not exist");
  }

  @Test
  void schemaPrintsTheJsonSchemaItValidatesWith() throws Exception {
    Result r = sluice("schema");
    assertThat(r.exit()).isZero();
    JsonNode schema = new ObjectMapper().readTree(r.out());
    assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(schema.at("/$defs/destination/properties/type/enum").toString()).contains("file", "log");
  }

  @Test
  void theSchemaCopyInDocsMatchesWhatTheCodeGenerates() throws Exception {
    Path doc = Path.of("../docs/schema/sluice.schema.json");
    String generated = sluice("schema").out();
    assertThat(doc).as("docs/schema/sluice.schema.json exists; regenerate it with: java -jar cli/target/sluice.jar schema > docs/schema/sluice.schema.json").exists();
    assertThat(new ObjectMapper().readTree(Files.readString(doc)))
        .as("docs/schema/sluice.schema.json drifted from the code; regenerate it with: java -jar cli/target/sluice.jar schema > docs/schema/sluice.schema.json")
        .isEqualTo(new ObjectMapper().readTree(generated));
  }

  @Test
  void pluginsListsKindTypeVersionAndJarIncludingAPluginsFolder() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build(dir, "acme", Map.of("com.acme.AcmeProvider", PluginJars.destinationProvider("com.acme.AcmeProvider", "acme")),
        Map.of("dev.sluice.spi.DestinationProvider", "com.acme.AcmeProvider"));
    Files.move(dir.resolve("acme.jar"), plugins.resolve("acme.jar"));

    Result r = sluice("plugins", "--plugins", plugins.toString());

    assertThat(r.exit()).isZero();
    assertThat(r.out().lines()).first().asString().startsWith("KIND").contains("TYPE").contains("VERSION").contains("JAR");
    assertThat(r.out()).containsPattern("connector\\s+file\\s+")
        .containsPattern("destination\\s+log\\s+")
        .containsPattern("destination\\s+acme\\s+unknown\\s+.*plugins/acme.jar");
  }

  @Test
  void pluginsShowsEachPluginsJarVersionTypesAndProblems() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    Path work = Files.createDirectories(dir.resolve("work"));
    // A single-jar plugin with a manifest version.
    Path acme = PluginJars.build(work, "acme", Map.of("com.acme.AcmeProvider",
            PluginJars.destinationProvider("com.acme.AcmeProvider", "acme")),
        Map.of("dev.sluice.spi.DestinationProvider", "com.acme.AcmeProvider"), List.of(), "1.4.2");
    Files.copy(acme, plugins.resolve("acme.jar"));
    // A plugin folder: the plugin jar and its dependency, one class loader.
    Path lib = PluginJars.build(work, "widgets-lib", Map.of("com.widgets.lib.Name",
        "package com.widgets.lib; public class Name { public static String of() { return \"widgets\"; } }"),
        Map.of(), List.of(), "0.9");
    Path widgets = PluginJars.build(work, "widgets", Map.of("com.widgets.WidgetsProvider",
            PluginJars.destinationProvider("com.widgets.WidgetsProvider", "widgets")),
        Map.of("dev.sluice.spi.DestinationProvider", "com.widgets.WidgetsProvider"), List.of(lib), "2.0.1");
    Path folder = Files.createDirectories(plugins.resolve("widgets"));
    Files.copy(widgets, folder.resolve("widgets.jar"));
    Files.copy(lib, folder.resolve("widgets-lib.jar"));
    // Two broken ones: not a zip, and a service file naming a class the jar lacks.
    Files.writeString(plugins.resolve("broken.jar"), "not a jar");
    Path gone = PluginJars.build(work, "gone", Map.of(), Map.of("dev.sluice.spi.ConnectorProvider", "com.gone.GoneProvider"));
    Files.copy(gone, plugins.resolve("gone.jar"));

    Result r = sluice("plugins", "--plugins", plugins.toString());

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("destination\\s+acme\\s+1\\.4\\.2\\s+.*plugins/acme.jar")
        .containsPattern("destination\\s+widgets\\s+2\\.0\\.1\\s+.*plugins/widgets/widgets.jar")
        .containsPattern("destination\\s+file\\s+")
        .contains("Plugins in " + plugins + ":")
        .containsPattern("acme.jar\\s+version 1\\.4\\.2\\s+loaded")
        .containsPattern("widgets\\s+version 2\\.0\\.1\\s+loaded")
        .containsPattern("broken.jar\\s+version unknown\\s+SKIPPED")
        .contains("problem: not a readable jar: broken.jar")
        .containsPattern("gone.jar\\s+version unknown\\s+SKIPPED")
        .containsPattern("problem: connector provider skipped: .*com.gone.GoneProvider");
    assertThat(r.err()).contains("skipped: " + plugins.resolve("broken.jar"));
  }

  @Test
  void theCommandBundlesEveryPluginModule() {
    Result r = sluice("plugins");
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .containsPattern("connector\\s+hubspot\\s+")
        .containsPattern("connector\\s+ga4\\s+")
        .containsPattern("connector\\s+bigquery\\s+")
        .containsPattern("destination\\s+prometheus\\s+")
        .containsPattern("destination\\s+s3\\s+")
        .containsPattern("destination\\s+slack\\s+")
        .containsPattern("destination\\s+email\\s+")
        .containsPattern("destination\\s+database\\s+")
        .containsPattern("authenticator\\s+keycloak\\s+")
        .containsPattern("authenticator\\s+oidc\\s+");
  }

  @Test
  void aPluginClaimingABuiltInTypeStopsWithBothJarsNamed() throws Exception {
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    PluginJars.build(plugins, "evil", Map.of("com.evil.FileProvider", PluginJars.destinationProvider("com.evil.FileProvider", "file")),
        Map.of("dev.sluice.spi.DestinationProvider", "com.evil.FileProvider"));
    Result r = sluice("plugins", "--plugins", plugins.toString());
    assertThat(r.exit()).isEqualTo(4);
    assertThat(r.err()).contains("two destination providers claim type 'file'").contains("evil.jar");
  }

  @Test
  void onceRunsAPipelinePrintsPlainProgressAndTheReport() throws Exception {
    Path c = config(pipelineYaml(orders(200_000), ""));
    Result r = sluice("once", "orders", "-c", c.toString(), "--progress", "plain", "--progress-interval", "PT0.02S");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("orders: [\\d,]+ read, [\\d,]+ routed, [\\d,]+ delivered, [\\d,]+ dead-lettered, [\\d,]+ records/s, \\d\\d:\\d\\d\\.\\d");
    assertThat(r.out()).contains("of pipeline 'orders' succeeded").contains("records read           200,000");
    assertThat(Files.readAllLines(dir.resolve("out/big.jsonl"))).hasSize(20_000);
  }

  @Test
  void onceExitsOneWhenARunFails() throws Exception {
    Path c = config(pipelineYaml(dir.resolve("missing.jsonl"), ""));
    Result r = sluice("once", "--all", "-c", c.toString(), "--progress", "off");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("failed").contains("missing.jsonl");
  }

  @Test
  void onceNeedsExactlyOnePipelineOrAll() throws Exception {
    Path c = config(pipelineYaml(orders(3), ""));
    assertThat(sluice("once", "-c", c.toString()).exit()).isEqualTo(2);
    assertThat(sluice("once", "orders", "--all", "-c", c.toString()).exit()).isEqualTo(2);
    Result unknown = sluice("once", "nope", "-c", c.toString());
    assertThat(unknown.exit()).isEqualTo(4);
    assertThat(unknown.err()).contains("no pipeline named 'nope'; defined: orders");
  }

  @Test
  void testRulesPrintsTheTraceWithoutDelivering() throws Exception {
    Path c = config(pipelineYaml(orders(3), ""));
    Path sample = dir.resolve("sample.jsonl");
    Files.writeString(sample, "{\"id\":\"a\",\"amount\":5000}\n{\"id\":\"b\",\"amount\":1}\n");

    Result text = sluice("test-rules", "orders", "--input", sample.toString(), "--key", "id", "-c", c.toString());
    assertThat(text.exit()).isZero();
    assertThat(text.out()).contains("record a: matched")
        .contains("rule big  when $.amount > 1000  -> matched")
        .contains("$.amount = 5000  > 1000  => true")
        .contains("rule big  when $.amount > 1000  -> not matched")
        .contains("2 record(s): 2 matched, 0 otherwise, 0 unmatched, 0 error(s)");
    assertThat(dir.resolve("out/big.jsonl")).doesNotExist();

    Result json = sluice("test-rules", "orders", "--input", sample.toString(), "--json", "-c", c.toString());
    JsonNode traces = new ObjectMapper().readTree(json.out().substring(0, json.out().lastIndexOf(']') + 1));
    assertThat(traces).hasSize(2);
    assertThat(traces.at("/0/deliveries/0/destination").asText()).isEqualTo("big");
  }

  @Test
  void secretsAreReadFromStandardInputNeverFromTheCommandLine() throws Exception {
    Path c = config("store: { type: memory }\nsecrets:\n  key: ${env:SLUICE_TEST_UNSET_KEY:-a-long-enough-master-key}\n");
    Result set = withStdin("tok_123_secret\n", "secret", "set", "slack_token", "-c", c.toString());
    assertThat(set.exit()).as(set.err()).isZero();
    assertThat(set.out() + set.err()).contains("stored secret 'slack_token'").doesNotContain("tok_123_secret");
    Result noKey = sluice("secret", "list", "-c", config("store: { type: memory }\n").toString());
    assertThat(noKey.exit()).isEqualTo(3);
    assertThat(noKey.err()).contains("/secrets: secrets.key is not set");
  }

  @Test
  void migrateAppliesTheMigrationsOnceThenReportsTheSchemaCurrent() throws Exception {
    Path c = config("store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/sluice") + "\" }\n");
    Result first = sluice("migrate", "-c", c.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).containsPattern("applied [1-9]\\d* migration\\(s\\) to ");
    Result second = sluice("migrate", "-c", c.toString());
    assertThat(second.out()).contains("is up to date");
    Result memory = sluice("migrate", "-c", config("store: { type: memory }\n").toString());
    assertThat(memory.out()).contains("has no schema to migrate");
  }

  @Test
  void secretsSetWithTheCliAreUsedByTheConfig() throws Exception {
    String store = "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/secrets") + "\" }\n"
        + "secrets:\n  key: a-long-enough-master-key\n";
    Path c = config(store);
    assertThat(withStdin(dir.resolve("from-secret.jsonl") + "\n", "secret", "set", "out_path", "-c", c.toString()).exit())
        .isZero();
    assertThat(sluice("secret", "list", "-c", c.toString()).out()).isEqualTo("out_path\n");
    Path input = orders(3);
    Path full = config(store + oneFilePipeline("${secret:out_path}", input));
    Result run = sluice("once", "orders", "-c", full.toString(), "--progress", "off");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(dir.resolve("from-secret.jsonl")).exists();
    assertThat(run.out() + run.err()).doesNotContain("from-secret.jsonl");
    assertThat(sluice("secret", "delete", "out_path", "-c", c.toString()).exit()).isZero();
    assertThat(sluice("secret", "list", "-c", c.toString()).out()).isEmpty();
  }

  /** Pipeline 'orders' from {@code input} to a file destination 'out' at {@code outPath}. */
  private static String oneFilePipeline(String outPath, Path input) {
    return """
        destinations:
          out: { type: file, path: "%s" }
        pipelines:
          orders:
            source: { type: file, path: %s, key: id }
            rules: [ { to: out } ]
        """.formatted(outPath, input);
  }

  private Result withStdin(String stdin, String... args) {
    InputStream original = System.in;
    try {
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      return sluice(args);
    } finally {
      System.setIn(original);
    }
  }

  @Test
  void aMultiLineSecretSuchAsAServiceAccountKeyIsStoredWhole() throws Exception {
    Path c = config("store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/keyfile") + "\" }\n"
        + "secrets:\n  key: a-long-enough-master-key\n");
    // A key file's shape with a value made now: several lines, the last without a newline.
    String key = "{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"" + java.util.UUID.randomUUID()
        + "\",\n  \"client_email\": \"test@example.invalid\"\n}";
    Result set = withStdin(key + "\n", "secret", "set", "ga4_key", "-c", c.toString());
    assertThat(set.exit()).as(set.err()).isZero();
    try (ConfigLoader.SecretsAccess access = ConfigLoader.create(ProviderRegistry.discover(getClass().getClassLoader(), List.of()))
        .openSecrets(List.of(c))) {
      assertThat(access.secrets().get("ga4_key")).contains(key); // every line, without the file's last newline
    }
    Result tooBig = withStdin("x".repeat(SecretCommand.MAX_VALUE_BYTES + 1), "secret", "set", "huge", "-c", c.toString());
    assertThat(tooBig.exit()).isEqualTo(2);
    assertThat(tooBig.err()).contains("over 1 MiB");
    assertThat(SecretCommand.withoutOneTrailingNewline("a\r\n")).isEqualTo("a");
    assertThat(SecretCommand.withoutOneTrailingNewline("a\n\n")).isEqualTo("a\n");
  }

  @Test
  void rotateKeyMovesEverySecretToTheNewPassphraseAndNeverPrintsEither() throws Exception {
    String db = "store: { jdbc: \"jdbc:h2:file:" + dir.resolve("db/rotate") + "\" }\n";
    Path old = config(db + "secrets:\n  key: the-old-master-passphrase\n");
    assertThat(withStdin("tok_alpha_value\n", "secret", "set", "alpha", "-c", old.toString()).exit()).isZero();
    assertThat(withStdin("tok_beta_value\n", "secret", "set", "beta", "-c", old.toString()).exit()).isZero();

    Result tooShort = withStdin("short\n", "secret", "rotate-key", "-c", old.toString());
    assertThat(tooShort.exit()).isEqualTo(2);
    assertThat(tooShort.err()).contains("at least 8 characters").doesNotContain("short\n");

    Result rotated = withStdin("the-new-master-passphrase\n", "secret", "rotate-key", "-c", old.toString());
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(rotated.out()).contains("re-encrypted 2 secret(s) under the new master key");

    Result oldKey = sluice("secret", "list", "-c", old.toString());
    assertThat(oldKey.exit()).isEqualTo(4);
    assertThat(oldKey.err()).contains("is not the one the secrets of this store are encrypted under");

    Path next = config(db + "secrets:\n  key: the-new-master-passphrase\n");
    assertThat(sluice("secret", "list", "-c", next.toString()).out()).isEqualTo("alpha\nbeta\n");
    Path input = orders(1);
    Path full = config(db + "secrets:\n  key: the-new-master-passphrase\n"
        + oneFilePipeline(dir + "/${secret:beta}.jsonl", input));
    Result run = sluice("once", "orders", "-c", full.toString(), "--progress", "off");
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(dir.resolve("tok_beta_value.jsonl")).exists();

    for (Result r : List.of(tooShort, rotated, oldKey, run)) {
      assertThat(r.out() + r.err()).doesNotContain("the-old-master-passphrase").doesNotContain("the-new-master-passphrase")
          .doesNotContain("tok_alpha_value").doesNotContain("tok_beta_value");
    }
  }

  @Test
  void firstLineReadsCharactersUpToTheLineEnd() throws Exception {
    assertThat(SecretCommand.firstLine(new ByteArrayInputStream("pässphrase-with-ünïcode\r\nnext".getBytes(StandardCharsets.UTF_8))))
        .containsExactly("pässphrase-with-ünïcode".toCharArray());
    String longLine = "x".repeat(1000);
    assertThat(SecretCommand.firstLine(new ByteArrayInputStream(longLine.getBytes(StandardCharsets.UTF_8))))
        .hasSize(1000);
    assertThat(SecretCommand.firstLine(new ByteArrayInputStream(new byte[0]))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "once", "validate", "schema", "plugins", "test-rules", "secret", "migrate"})
  void everyCommandHasHelpAndVersion(String command) {
    Result help = sluice(command, "--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("Usage: sluice " + command);
    Result version = sluice(command, "--version");
    assertThat(version.exit()).isZero();
    assertThat(version.out()).startsWith("sluice ");
  }

  @Test
  void topLevelHelpListsCommandsAndExitCodes() {
    Result r = sluice("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("run", "once", "validate", "schema", "plugins", "test-rules", "Exit codes:");
    assertThat(sluice("--no-such-option").exit()).isEqualTo(2);
    assertThat(sluice("frobnicate").exit()).isEqualTo(2);
  }
}
