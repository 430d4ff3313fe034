package dev.sluice.deployment;

import static dev.sluice.deployment.Proc.cmd;
import static dev.sluice.deployment.Proc.script;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every script: strict mode, --help, usage errors, and shellcheck over all of them. */
class ScriptsTest {
  static final List<String> SCRIPTS =
      List.of("install.sh", "docker-build.sh", "deploy-aws.sh", "deploy-gcp.sh", "backup.sh");

  @Test
  void scriptsFolderHoldsExactlyTheseScripts() throws IOException {
    try (Stream<Path> files = Files.list(Proc.REPO.resolve("scripts"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(SCRIPTS);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"install.sh", "docker-build.sh", "deploy-aws.sh", "deploy-gcp.sh", "backup.sh"})
  void strictModeExecutableAndHelp(String name) throws IOException {
    Path file = Proc.REPO.resolve("scripts").resolve(name);
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0)).isEqualTo("#!/usr/bin/env bash");
    assertThat(lines).as(name + " runs in strict mode before any command").contains("set -euo pipefail");
    assertThat(Files.isExecutable(file)).as(name + " is executable").isTrue();

    Proc help = Proc.run(script(name), "--help");
    assertThat(help.exitCode).as(help.describe()).isZero();
    assertThat(help.out).startsWith("Usage: scripts/" + name).contains("--dry-run").contains("-h, --help");
    assertThat(help.err).isEmpty();

    Proc shortHelp = Proc.run(script(name), "-h");
    assertThat(shortHelp.out).isEqualTo(help.out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"install.sh", "docker-build.sh", "deploy-aws.sh", "deploy-gcp.sh", "backup.sh"})
  void unknownOptionIsAUsageErrorThatNamesIt(String name) {
    Proc p = Proc.run(script(name), "--no-such-option");
    assertThat(p.exitCode).as(p.describe()).isEqualTo(2);
    assertThat(p.err).contains(name + ": ").contains("--no-such-option").contains("--help");
    assertThat(p.out).isEmpty();
  }

  @Test
  void optionWithoutItsValueIsAUsageError() {
    Proc p = Proc.run(script("deploy-aws.sh"), "--region");
    assertThat(p.exitCode).isEqualTo(2);
    assertThat(p.err).contains("--region needs a value");
  }

  @Test
  void shellcheckFindsNothingInScriptsAndTheImageHealthCheck() {
    Proc p = Proc.run(cmd("shellcheck", "--severity=style", "--external-sources",
        script("install.sh"), script("docker-build.sh"), script("deploy-aws.sh"), script("deploy-gcp.sh"),
        script("backup.sh"), Proc.REPO.resolve("deploy/docker/rootfs/opt/sluice/bin/healthcheck.sh").toString()));
    assertThat(p.exitCode).as(p.describe()).isZero();
    assertThat(p.out).isEmpty();
  }

  @Test
  void shellcheckIsRealAndFailsOnAFlawedScript(@TempDir Path dir) throws IOException {
    Path bad = dir.resolve("bad.sh");
    Files.writeString(bad, "#!/usr/bin/env bash\nset -euo pipefail\nfiles=$(ls *.txt)\nrm $files\n");
    Proc p = Proc.run(cmd("shellcheck", "--severity=style", bad.toString()));
    assertThat(p.exitCode).as(p.describe()).isNotZero();
    assertThat(p.out).contains("SC2086");
  }
}
