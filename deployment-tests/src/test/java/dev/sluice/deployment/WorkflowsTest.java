package dev.sluice.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub Actions workflows, read with a YAML parser (actionlint is not available offline): the
 * structure GitHub needs (triggers, jobs, steps with `uses` or `run`), what CI must do (Java 17, 21
 * and 25, Maven cache, the packages of .ci/run, test reports kept), what a release does, and every
 * `run` script passes shellcheck.
 */
class WorkflowsTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static JsonNode workflow(String name) throws Exception {
    return YAML.readTree(Proc.REPO.resolve(".github/workflows").resolve(name).toFile());
  }

  static List<JsonNode> steps(JsonNode wf) {
    List<JsonNode> all = new ArrayList<>();
    wf.path("jobs").forEach(job -> job.path("steps").forEach(all::add));
    return all;
  }

  @Test
  void everyWorkflowHasTheStructureGitHubNeeds() throws Exception {
    for (String name : List.of("ci.yml", "release.yml")) {
      JsonNode wf = workflow(name);
      assertThat(wf.path("name").asText()).as(name).isNotEmpty();
      assertThat(wf.has("on")).as(name + " has triggers").isTrue();
      assertThat(wf.path("permissions").isObject()).as(name + " sets its token's permissions").isTrue();
      assertThat(wf.path("jobs").size()).isPositive();
      wf.path("jobs").fields().forEachRemaining(job -> {
        assertThat(job.getKey()).matches("[A-Za-z_][A-Za-z0-9_-]*");
        assertThat(job.getValue().path("runs-on").asText()).as(name + "/" + job.getKey()).isNotEmpty();
        assertThat(job.getValue().path("timeout-minutes").asInt()).as("a bounded job").isBetween(1, 120);
        assertThat(job.getValue().path("steps").size()).isPositive();
        job.getValue().path("steps").forEach(step -> {
          assertThat(step.has("uses") ^ step.has("run")).as(name + ": a step has `uses` or `run`: " + step).isTrue();
          assertThat(step.path("name").asText()).as("every step is named").isNotEmpty();
          if (step.has("uses")) {
            assertThat(step.path("uses").asText()).as("actions are pinned to a version")
                .matches("[\\w.-]+/[\\w.-]+@(v\\d+(\\.\\d+)*|[0-9a-f]{40})");
          }
        });
      });
    }
  }

  @Test
  void ciBuildsOnJava17_21And25WithTheMavenCacheAndKeepsTheReports() throws Exception {
    JsonNode wf = workflow("ci.yml");
    assertThat(wf.path("on").has("push")).isTrue();
    assertThat(wf.path("on").has("pull_request")).isTrue();
    JsonNode job = wf.path("jobs").path("build");
    List<String> versions = new ArrayList<>();
    job.path("strategy").path("matrix").path("java").forEach(v -> versions.add(v.asText()));
    assertThat(versions).containsExactly("17", "21", "25");
    assertThat(job.path("strategy").path("fail-fast").asBoolean(true)).isFalse();
    List<JsonNode> steps = steps(wf);
    JsonNode setupJava = steps.stream().filter(s -> s.path("uses").asText().startsWith("actions/setup-java@")).findFirst().orElseThrow();
    assertThat(setupJava.path("with").path("java-version").asText()).isEqualTo("${{ matrix.java }}");
    assertThat(setupJava.path("with").path("cache").asText()).isEqualTo("maven");
    assertThat(steps).anyMatch(s -> s.path("run").asText().contains("mvn -B") && s.path("run").asText().contains(" verify"));
    JsonNode upload = steps.stream().filter(s -> s.path("uses").asText().startsWith("actions/upload-artifact@")).findFirst().orElseThrow();
    assertThat(upload.path("if").asText()).isEqualTo("always()");
    assertThat(upload.path("with").path("path").asText()).contains("**/target/surefire-reports/").contains("**/target/failsafe-reports/");
    assertThat(upload.path("with").path("name").asText()).contains("${{ matrix.java }}");
  }

  @Test
  void ciInstallsEveryPackageThatCiRunInstalls() throws Exception {
    Matcher m = Pattern.compile("(?m)^needed=\\(([^)]*)\\)").matcher(Files.readString(Proc.REPO.resolve(".ci/run")));
    assertThat(m.find()).as(".ci/run lists its packages in needed=(...)").isTrue();
    List<String> needed = Arrays.asList(m.group(1).trim().split("\\s+"));
    assertThat(needed).contains("postgresql-client", "shellcheck");
    String install = steps(workflow("ci.yml")).stream().map(s -> s.path("run").asText())
        .filter(r -> r.contains("apt-get install")).findFirst().orElseThrow();
    List<String> installed = Arrays.asList(install.substring(install.indexOf("apt-get install"))
        .replace("\\\n", " ").split("\\s+"));
    assertThat(installed).containsAll(needed);
  }

  @Test
  void releasePublishesToCentralPushesTheImageAndAttachesTheJar() throws Exception {
    JsonNode wf = workflow("release.yml");
    List<String> tags = new ArrayList<>();
    wf.path("on").path("push").path("tags").forEach(t -> tags.add(t.asText()));
    assertThat(tags).containsExactly("v*");
    assertThat(wf.path("on").has("pull_request")).isFalse();
    assertThat(wf.path("permissions").path("contents").asText()).isEqualTo("write");
    assertThat(wf.path("permissions").path("packages").asText()).isEqualTo("write");
    List<JsonNode> steps = steps(wf);
    JsonNode setupJava = steps.stream().filter(s -> s.path("uses").asText().startsWith("actions/setup-java@")).findFirst().orElseThrow();
    assertThat(setupJava.path("with").path("java-version").asText()).isEqualTo("17");
    assertThat(setupJava.path("with").path("server-id").asText()).isEqualTo("central");
    assertThat(setupJava.path("with").path("gpg-private-key").asText()).isEqualTo("${{ secrets.GPG_PRIVATE_KEY }}");
    JsonNode publish = steps.stream().filter(s -> s.path("run").asText().contains(" deploy")).findFirst().orElseThrow();
    assertThat(publish.path("run").asText()).contains("mvn -B -Prelease").contains("deploy");
    assertThat(publish.path("env").path("MAVEN_GPG_PASSPHRASE").asText()).isEqualTo("${{ secrets.GPG_PASSPHRASE }}");
    assertThat(publish.path("env").path("MAVEN_CENTRAL_PASSWORD").asText()).startsWith("${{ secrets.");
    assertThat(steps).anyMatch(s -> s.path("run").asText().contains("scripts/docker-build.sh --push"));
    assertThat(steps).anyMatch(s -> s.path("uses").asText().startsWith("docker/login-action@"));
    JsonNode release = steps.stream().filter(s -> s.path("run").asText().contains("gh release create")).findFirst().orElseThrow();
    assertThat(release.path("run").asText()).contains("cli/target/sluice.jar").contains("sha256sum");
    // Secrets reach steps through env or action inputs, never inline in a run script.
    for (JsonNode s : steps) {
      assertThat(s.path("run").asText()).doesNotContain("secrets.");
    }
  }

  @Test
  void everyRunScriptPassesShellcheck(@TempDir Path dir) throws Exception {
    int count = 0;
    for (String name : List.of("ci.yml", "release.yml")) {
      for (JsonNode step : steps(workflow(name))) {
        if (!step.has("run")) {
          continue;
        }
        // GitHub replaces ${{ ... }} before bash runs the script; a plain word stands in for it here.
        String script = "#!/usr/bin/env bash\nset -eo pipefail\n"
            + step.path("run").asText().replaceAll("\\$\\{\\{[^}]*}}", "EXPR");
        Path file = dir.resolve(name + "-" + (++count) + ".sh");
        Files.writeString(file, script);
        Proc p = Proc.run("shellcheck", "--shell=bash", "--severity=style", file.toString());
        assertThat(p.exitCode).as(name + " step '" + step.path("name").asText() + "'\n" + p.describe()).isZero();
      }
    }
    assertThat(count).isGreaterThanOrEqualTo(7);
  }
}
