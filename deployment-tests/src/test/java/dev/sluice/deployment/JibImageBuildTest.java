package dev.sluice.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image built for real, with no registry: scripts/docker-build.sh --local-runtime runs the cli
 * module's Jib profile (jib:buildTar) on `scratch` with a jlink-ed runtime of this machine's JDK.
 * The tar's configuration is checked, its layers are unpacked, and the image's entrypoint runs a
 * pipeline the way a container runtime would: as user 10001, in a chroot whose root filesystem is
 * mounted read-only, with a tmpfs on /tmp, the configuration mounted read-only at /config and a
 * writable volume at /var/lib/sluice. Needs root (chroot, mounts), as CI has.
 */
class JibImageBuildTest {
  static Path tar;
  static JsonNode config;
  static List<String> layers = new ArrayList<>();

  @BeforeAll
  static void buildTheImage() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Proc.script("docker-build.sh"), "--local-runtime", "--revision", "test-revision",
        "--image", "sluice-test:1.0.0", "--maven-arg", "-Dsluice.fuzz.skip=true"));
    if ("offline:true".equals(System.getProperty("sluice.maven.offline"))) {
      cmd.addAll(List.of("--maven-arg", "-o"));
    }
    Proc build = Proc.run(Map.of(), Proc.REPO, 1200, cmd.toArray(String[]::new));
    assertThat(build.exitCode).as(build.describe()).isZero();
    tar = Proc.REPO.resolve("cli/target/jib-image.tar");
    assertThat(tar).isRegularFile();
  }

  private static JsonNode readFromTar(Path dir, String name) throws Exception {
    return new ObjectMapper().readTree(dir.resolve(name).toFile());
  }

  @Test
  void theImageConfigurationIsTheDefinedOne(@TempDir Path dir) throws Exception {
    Proc untar = Proc.run(Map.of(), dir, 120, "tar", "-xf", tar.toString(), "-C", dir.toString());
    assertThat(untar.exitCode).as(untar.describe()).isZero();
    JsonNode manifest = readFromTar(dir, "manifest.json").get(0);
    assertThat(manifest.path("RepoTags").get(0).asText()).isEqualTo("sluice-test:1.0.0");
    JsonNode c = readFromTar(dir, manifest.path("Config").asText()).path("config");
    assertThat(c.path("User").asText()).isEqualTo("10001:10001");
    assertThat(c.path("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(c.path("WorkingDir").asText()).isEqualTo("/var/lib/sluice");
    List<String> entrypoint = new ArrayList<>();
    c.path("Entrypoint").forEach(n -> entrypoint.add(n.asText()));
    assertThat(entrypoint.get(0)).isEqualTo("java");
    assertThat(entrypoint).contains("-XX:-UsePerfData", "-cp", "@/app/jib-classpath-file").endsWith("dev.sluice.cli.SluiceCli");
    List<String> cmd = new ArrayList<>();
    c.path("Cmd").forEach(n -> cmd.add(n.asText()));
    assertThat(cmd).isEqualTo(ImageDefinitionTest.SERVE);
    assertThat(c.path("Labels").path("org.opencontainers.image.revision").asText()).isEqualTo("test-revision");
    assertThat(c.path("Labels").path("org.opencontainers.image.version").asText()).isEqualTo("0.1.0-SNAPSHOT");
    assertThat(c.path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("Sluice");
    assertThat(c.path("Volumes").has("/config")).isTrue();
    assertThat(c.path("Env").toString()).contains("PATH=/opt/java/bin:");
    assertThat(readFromTar(dir, manifest.path("Config").asText()).path("created").asText())
        .as("reproducible: a fixed creation time").isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void theImageRunsAPipelineAsNonRootOnAReadOnlyRoot(@TempDir Path dir) throws Exception {
    assertThat(Proc.isRoot()).as("this test unpacks the image into a chroot and mounts its volumes: it needs root (CI runs as root)").isTrue();
    Path image = dir.resolve("image");
    Files.createDirectories(image.resolve("rootfs"));
    Proc untar = Proc.run(Map.of(), dir, 120, "tar", "-xf", tar.toString(), "-C", image.toString());
    assertThat(untar.exitCode).as(untar.describe()).isZero();
    JsonNode manifest = readFromTar(image, "manifest.json").get(0);
    Path rootfs = image.resolve("rootfs");
    for (JsonNode layer : manifest.path("Layers")) {
      Proc x = Proc.run(Map.of(), dir, 120, "tar", "--warning=no-unknown-keyword", "-xzf",
          image.resolve(layer.asText()).toString(), "-C", rootfs.toString());
      assertThat(x.exitCode).as(x.describe()).isZero();
    }
    JsonNode c = readFromTar(image, manifest.path("Config").asText()).path("config");
    assertThat(rootfs.resolve("opt/sluice/bin/healthcheck.sh")).isExecutable();
    assertThat(rootfs.resolve("proc")).isDirectory();

    // The mounted configuration and the writable volume, as `docker run -v` would give them.
    Path conf = dir.resolve("conf");
    Path work = dir.resolve("work");
    Files.createDirectories(conf);
    Files.createDirectories(work);
    Files.writeString(conf.resolve("orders.jsonl"),
        "{\"id\":1,\"amount\":50}\n{\"id\":2,\"amount\":1500}\n{\"id\":3,\"amount\":70}\n");
    Files.writeString(conf.resolve("sluice.yaml"), String.join("\n",
        "store: { jdbc: \"jdbc:h2:file:/var/lib/sluice/data/sluice\" }",
        "destinations:",
        "  big: { type: file, path: /var/lib/sluice/big.jsonl }",
        "  all: { type: file, path: /var/lib/sluice/all.jsonl }",
        "pipelines:",
        "  orders:",
        "    source: { type: file, path: /config/orders.jsonl, key: id }",
        "    rules:",
        "      - { name: big, when: \"$.amount > 1000\", to: big }",
        "      - { name: every, to: all }",
        ""));
    assertThat(Proc.run("chown", "-R", "10001:10001", work.toString()).exitCode).isZero();

    List<String> env = new ArrayList<>(List.of("env", "-i"));
    c.path("Env").forEach(e -> env.add(e.asText()));
    StringBuilder command = new StringBuilder();
    for (String s : env) {
      command.append(quote(s)).append(' ');
    }
    command.append("/usr/sbin/chroot --userspec=").append(c.path("User").asText()).append(' ').append(quote(rootfs.toString()));
    c.path("Entrypoint").forEach(e -> command.append(' ').append(quote(e.asText())));
    command.append(" once orders -c /config/sluice.yaml");
    String r = quote(rootfs.toString());
    String script = String.join("\n",
        "set -eu",
        "mount --bind " + r + " " + r,
        "mount -o remount,bind,ro " + r,
        "mount -t proc proc " + r + "/proc",
        "mount -t tmpfs -o mode=1777 tmpfs " + r + "/tmp",
        "mount --bind " + quote(conf.toString()) + " " + r + "/config",
        "mount -o remount,bind,ro " + r + "/config",
        "mount --bind " + quote(work.toString()) + " " + r + "/var/lib/sluice",
        // Prove the root is read-only before running: root itself can't create a file there.
        "if touch " + r + "/probe 2>/dev/null; then echo 'root filesystem is writable' >&2; exit 97; fi",
        "exec " + command);
    Proc run = Proc.run(Map.of(), dir, 300, "unshare", "--mount", "--propagation", "private", "--fork", "/bin/sh", "-c", script);
    assertThat(run.exitCode).as(run.describe()).isZero();
    assertThat(Files.readAllLines(work.resolve("all.jsonl"))).hasSize(3);
    assertThat(Files.readAllLines(work.resolve("big.jsonl"))).singleElement().asString().contains("\"id\":2");
    assertThat(Files.getOwner(work.resolve("all.jsonl")).getName()).as("written by the image's user").isNotEqualTo("root");
    assertThat(Files.list(work.resolve("data")).map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("sluice"));
  }

  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
