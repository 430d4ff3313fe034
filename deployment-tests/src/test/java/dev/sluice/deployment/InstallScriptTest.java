package dev.sluice.deployment;

import static dev.sluice.deployment.Proc.script;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/install.sh for real, into a temporary root (--root): what it writes, that a second run
 * changes nothing (the whole tree hashed: paths, modes, sizes, modification times, contents), that
 * a dry run writes nothing, and that the files it writes work.
 */
class InstallScriptTest {
  @TempDir Path tmp;

  private Path jar(String content) throws IOException {
    Path jar = tmp.resolve("sluice-" + content.hashCode() + ".jar");
    Files.writeString(jar, content);
    return jar;
  }

  private Proc install(Path root, Path jar, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of(script("install.sh"), "--root", root.toString(), "--jar", jar.toString()));
    args.addAll(List.of(more));
    return Proc.run(args.toArray(String[]::new));
  }

  /** One line per file or folder: path, type, permissions, size, mtime, SHA-256 of the content. */
  static String hashTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.sorted().map(p -> {
        try {
          String kind = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "d" : "f";
          String content = kind.equals("f")
              ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))) : "-";
          return root.relativize(p) + " " + kind + " "
              + PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) + " "
              + Files.size(p) + " " + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() + " " + content;
        } catch (Exception e) {
          throw new IllegalStateException(p.toString(), e);
        }
      }).collect(Collectors.joining("\n"));
    }
  }

  @Test
  void installsTheLayoutAndASecondRunChangesNothing() throws Exception {
    Path root = tmp.resolve("root");
    Path jar = jar("the jar v1");

    Proc first = install(root, jar);
    assertThat(first.exitCode).as(first.describe()).isZero();
    assertThat(first.out).contains("installed: 11 change(s)")
        .contains("skipped (--root): useradd --system --user-group --home-dir /var/lib/sluice --no-create-home"
            + " --shell /usr/sbin/nologin sluice")
        .contains("skipped (--root): chown -R sluice:sluice /var/lib/sluice")
        .contains("skipped (--root): systemctl daemon-reload")
        .contains("skipped (--root): systemctl enable sluice.service");
    assertThat(Files.readString(root.resolve("opt/sluice/lib/sluice.jar"))).isEqualTo("the jar v1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("usr/local/bin/sluice")))).isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("etc/sluice/sluice.env")))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("var/lib/sluice")))).isEqualTo("rwxr-x---");
    String unit = Files.readString(root.resolve("etc/systemd/system/sluice.service"));
    assertThat(unit).contains("User=sluice\n", "Group=sluice\n", "EnvironmentFile=-/etc/sluice/sluice.env\n",
        "WorkingDirectory=/var/lib/sluice\n",
        "ExecStart=/usr/local/bin/sluice serve --config /etc/sluice/sluice.yaml --port 8080\n",
        "NoNewPrivileges=true\n", "ProtectSystem=strict\n", "ReadWritePaths=/var/lib/sluice\n",
        "WantedBy=multi-user.target\n");
    String before = hashTree(root);

    Proc second = install(root, jar);
    assertThat(second.exitCode).as(second.describe()).isZero();
    assertThat(second.out).contains("nothing to change: Sluice is installed").doesNotContain("write ").doesNotContain("create ");
    assertThat(hashTree(root)).isEqualTo(before);
  }

  @Test
  void dryRunWritesNothingAndListsWhatItWouldDo() throws Exception {
    Path root = tmp.resolve("dry");
    Proc dry = install(root, jar("x"), "--dry-run", "--prefix", "/srv/sluice", "--port", "9090");
    assertThat(dry.exitCode).as(dry.describe()).isZero();
    assertThat(root).doesNotExist();
    assertThat(dry.lines()).containsExactly(
        "dry run: nothing is changed",
        "skipped (--root): useradd --system --user-group --home-dir /var/lib/sluice --no-create-home --shell /usr/sbin/nologin sluice",
        "would create folder " + root + "/srv/sluice (mode 0755)",
        "would create folder " + root + "/srv/sluice/lib (mode 0755)",
        "would write " + root + "/srv/sluice/lib/sluice.jar (mode 0644)",
        "would create folder " + root + "/usr/local/bin (mode 0755)",
        "would write " + root + "/usr/local/bin/sluice (mode 0755)",
        "would create folder " + root + "/etc/sluice (mode 0755)",
        "would write " + root + "/etc/sluice/sluice.yaml (mode 0644)",
        "would write " + root + "/etc/sluice/sluice.env (mode 0600)",
        "would create folder " + root + "/var/lib/sluice (mode 0750)",
        "skipped (--root): chown -R sluice:sluice /var/lib/sluice",
        "would create folder " + root + "/etc/systemd/system (mode 0755)",
        "would write " + root + "/etc/systemd/system/sluice.service (mode 0644)",
        "skipped (--root): systemctl daemon-reload",
        "skipped (--root): systemctl enable sluice.service",
        "dry run: 11 change(s) would be made");

    Path installed = tmp.resolve("installed");
    Path jar = jar("y");
    assertThat(install(installed, jar).exitCode).isZero();
    String before = hashTree(installed);
    Proc again = install(installed, jar, "--dry-run");
    assertThat(again.out).contains("nothing to change");
    assertThat(hashTree(installed)).isEqualTo(before);
  }

  @Test
  void aNewJarReplacesOnlyTheJarAndAnEditedConfigurationIsKept() throws Exception {
    Path root = tmp.resolve("upgrade");
    assertThat(install(root, jar("v1")).exitCode).isZero();
    Path config = root.resolve("etc/sluice/sluice.yaml");
    Files.writeString(config, "pipelines: {}\n# edited by the operator\n");
    Proc upgrade = install(root, jar("v2"));
    assertThat(upgrade.exitCode).as(upgrade.describe()).isZero();
    assertThat(upgrade.out).contains("update " + root + "/opt/sluice/lib/sluice.jar").contains("installed: 1 change(s)");
    assertThat(Files.readString(root.resolve("opt/sluice/lib/sluice.jar"))).isEqualTo("v2");
    assertThat(Files.readString(config)).contains("# edited by the operator");
  }

  @Test
  void theWrapperRunsTheInstalledJarWithTheUsersJavaOptions() throws Exception {
    Path root = tmp.resolve("wrapper");
    assertThat(install(root, jar("w"), "--prefix", "/opt/sluice-2").exitCode).isZero();
    // A stand-in for java that prints its arguments, one per line.
    Path fakeJava = tmp.resolve("fake-java");
    Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    fakeJava.toFile().setExecutable(true);
    Proc p = Proc.run(Map.of("JAVA", fakeJava.toString(), "SLUICE_JAVA_OPTS", "-Xmx256m -Dx=1"), tmp, 30,
        root.resolve("usr/local/bin/sluice").toString(), "once", "my pipeline");
    assertThat(p.exitCode).as(p.describe()).isZero();
    assertThat(p.lines()).containsExactly("-Xmx256m", "-Dx=1", "-jar", "/opt/sluice-2/lib/sluice.jar", "once", "my pipeline");
  }

  @Test
  void theInstalledConfigurationIsValid() throws Exception {
    Path root = tmp.resolve("valid");
    assertThat(install(root, jar("z")).exitCode).isZero();
    Proc p = Proc.run(Map.of(), tmp, 120, Proc.java(), "-jar", Proc.sluiceJar().toString(), "validate", "-c",
        root.resolve("etc/sluice/sluice.yaml").toString());
    assertThat(p.exitCode).as(p.describe()).isZero();
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path root = tmp.resolve("bad");
    Proc relative = install(root, jar("b"), "--prefix", "opt/sluice");
    assertThat(relative.exitCode).isEqualTo(2);
    assertThat(relative.err).contains("--prefix must be an absolute path, got 'opt/sluice'");
    Proc port = install(root, jar("b"), "--port", "70000");
    assertThat(port.exitCode).isEqualTo(2);
    assertThat(port.err).contains("--port must be 1..65535, got '70000'");
    Proc noJar = Proc.run(script("install.sh"), "--root", root.toString(), "--jar", tmp.resolve("missing.jar").toString());
    assertThat(noJar.exitCode).isEqualTo(1);
    assertThat(noJar.err).contains("no jar at " + tmp.resolve("missing.jar"));
    assertThat(root.resolve("opt")).doesNotExist();
  }

  @Test
  void dryRunOnTheRealSystemOnlyLooksAndSaysWhatItWouldRun() throws Exception {
    // No --root: the dry run reads the real system (does the user exist, is the unit enabled) but
    // changes nothing; every folder here is under the test's temporary folder.
    Path base = tmp.resolve("sys");
    boolean userExists = Proc.run("id", "-u", "sluice").exitCode == 0;
    boolean unitExists = Files.exists(Path.of("/etc/systemd/system/sluice.service"));
    Proc dry = Proc.run(script("install.sh"), "--dry-run", "--jar", jar("r").toString(),
        "--prefix", base + "/opt/sluice", "--bin-dir", base + "/bin", "--config-dir", base + "/etc",
        "--data-dir", base + "/data");
    assertThat(dry.exitCode).as(dry.describe()).isZero();
    assertThat(dry.out).doesNotContain("skipped (--root)")
        .contains("would create folder " + base + "/opt/sluice (mode 0755)")
        .contains("would run: chown -R sluice:sluice " + base + "/data");
    if (!userExists) {
      assertThat(dry.out).contains("would run: useradd --system --user-group --home-dir " + base
          + "/data --no-create-home --shell /usr/sbin/nologin sluice");
    }
    assertThat(base).doesNotExist();
    assertThat(Files.exists(Path.of("/etc/systemd/system/sluice.service"))).isEqualTo(unitExists);
    assertThat(Proc.run("id", "-u", "sluice").exitCode == 0).isEqualTo(userExists);
  }
}
