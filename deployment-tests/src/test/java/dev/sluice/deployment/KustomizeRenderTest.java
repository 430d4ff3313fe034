package dev.sluice.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * deploy/kubernetes rendered offline by `kubectl kustomize` (kubectl must be installed: a missing
 * kubectl fails these tests) and checked: cluster mode on shared PostgreSQL, probes, non-root,
 * read-only root, resources, PDB, ConfigMap and Secret references, pinned images.
 */
class KustomizeRenderTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<JsonNode> render(String dir) throws Exception {
    Proc p = Proc.run("kubectl", "kustomize", Proc.REPO.resolve("deploy/kubernetes").resolve(dir).toString());
    assertThat(p.exitCode).as(p.describe()).isZero();
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).readValues(p.out)) {
      while (it.hasNext()) {
        docs.add((JsonNode) it.next());
      }
    }
    return docs;
  }

  static JsonNode one(List<JsonNode> docs, String kind) {
    List<JsonNode> found = docs.stream().filter(d -> d.path("kind").asText().equals(kind)).collect(Collectors.toList());
    assertThat(found).as("exactly one " + kind).hasSize(1);
    return found.get(0);
  }

  @ParameterizedTest
  @CsvSource({"base, 2, sluice:0.1.0-SNAPSHOT, ''", "overlays/dev, 2, sluice:0.1.0-SNAPSHOT, sluice-dev",
      "overlays/production, 3, registry.example.com/sluice:0.1.0, sluice"})
  void rendersARunnableClusterDeployment(String dir, int replicas, String image, String namespace) throws Exception {
    List<JsonNode> docs = render(dir);
    assertThat(docs.stream().map(d -> d.path("kind").asText()))
        .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");
    for (JsonNode d : docs) {
      assertThat(d.path("metadata").path("namespace").asText("")).as(d.path("kind") + " namespace").isEqualTo(namespace);
    }

    JsonNode deployment = one(docs, "Deployment");
    JsonNode spec = deployment.path("spec");
    assertThat(spec.path("replicas").asInt()).isEqualTo(replicas).isGreaterThanOrEqualTo(2);
    assertThat(spec.path("strategy").path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
    JsonNode podLabels = spec.path("template").path("metadata").path("labels");
    spec.path("selector").path("matchLabels").fields().forEachRemaining(e ->
        assertThat(podLabels.path(e.getKey()).asText()).as("pod label " + e.getKey()).isEqualTo(e.getValue().asText()));

    JsonNode pod = spec.path("template").path("spec");
    assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(10001);
    assertThat(pod.path("securityContext").path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(30);

    assertThat(pod.path("containers")).hasSize(1);
    JsonNode c = pod.path("containers").get(0);
    assertThat(c.path("image").asText()).isEqualTo(image);
    assertThat(c.path("args").toString()).isEqualTo("[\"serve\",\"--config\",\"/config/sluice.yaml\",\"--port\",\"8080\"]");
    assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
    assertThat(c.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    assertThat(c.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
    assertThat(c.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat(c.path(probe).path("httpGet").path("port").asText()).isEqualTo("http");
    }
    JsonNode sc = c.path("securityContext");
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(sc.path("runAsNonRoot").asBoolean()).isTrue();
    assertThat(sc.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
    JsonNode resources = c.path("resources");
    for (String kind : List.of("requests", "limits")) {
      assertThat(resources.path(kind).path("cpu").asText()).as(kind + ".cpu").isNotEmpty();
      assertThat(resources.path(kind).path("memory").asText()).as(kind + ".memory").isNotEmpty();
    }

    // Writable places are volumes: /tmp and the working folder; the configuration is read-only.
    Map<String, JsonNode> mounts = new java.util.HashMap<>();
    c.path("volumeMounts").forEach(m -> mounts.put(m.path("mountPath").asText(), m));
    assertThat(mounts).containsOnlyKeys("/config", "/tmp", "/var/lib/sluice");
    assertThat(mounts.get("/config").path("readOnly").asBoolean()).isTrue();
    String configMapName = null;
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(mounts.get("/config").path("name").asText())) {
        configMapName = v.path("configMap").path("name").asText();
      }
    }
    List<JsonNode> configMaps = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")).collect(Collectors.toList());
    String finalName = configMapName;
    JsonNode config = configMaps.stream().filter(m -> m.path("metadata").path("name").asText().equals(finalName))
        .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + finalName));
    String sluiceYaml = config.path("data").path("sluice.yaml").asText();
    JsonNode parsed = YAML.readTree(sluiceYaml);
    assertThat(parsed.path("cluster").path("enabled").asBoolean()).as("cluster mode").isTrue();
    assertThat(parsed.path("store").path("url").asText()).isEqualTo("${env:SLUICE_DB_URL}");

    // Secrets come from a Secret that is not in the repository; no Secret is rendered.
    List<String> secretRefs = new ArrayList<>();
    c.path("env").forEach(e -> {
      JsonNode ref = e.path("valueFrom").path("secretKeyRef");
      if (!ref.isMissingNode()) {
        secretRefs.add(ref.path("name").asText() + "/" + ref.path("key").asText() + "->" + e.path("name").asText());
      }
    });
    assertThat(secretRefs).containsExactlyInAnyOrder("sluice-secrets/master-key->SLUICE_MASTER_KEY",
        "sluice-secrets/db-password->SLUICE_DB_PASSWORD");
    String envMap = c.path("envFrom").get(0).path("configMapRef").path("name").asText();
    JsonNode env = configMaps.stream().filter(m -> m.path("metadata").path("name").asText().equals(envMap)).findFirst().orElseThrow();
    assertThat(env.path("data").path("SLUICE_DB_URL").asText()).startsWith("jdbc:postgresql://");

    JsonNode pdb = one(docs, "PodDisruptionBudget");
    assertThat(pdb.path("spec").path("maxUnavailable").asInt()).isEqualTo(1).isLessThan(replicas);
    pdb.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
        assertThat(podLabels.path(e.getKey()).asText()).as("PDB selects the pods: " + e.getKey()).isEqualTo(e.getValue().asText()));
    JsonNode service = one(docs, "Service");
    service.path("spec").path("selector").fields().forEachRemaining(e ->
        assertThat(podLabels.path(e.getKey()).asText()).as("Service selects the pods: " + e.getKey()).isEqualTo(e.getValue().asText()));
  }

  @Test
  void everyImageIsPinnedNeverLatest() throws Exception {
    for (String dir : List.of("base", "overlays/dev", "overlays/production")) {
      for (JsonNode d : render(dir)) {
        for (JsonNode image : d.findValues("image")) {
          String ref = image.asText();
          String afterName = ref.substring(ref.lastIndexOf('/') + 1);
          assertThat(afterName).as(dir + ": " + ref + " has a tag or digest").matches(".+(:[A-Za-z0-9_][A-Za-z0-9._-]*|@sha256:[0-9a-f]{64})");
          assertThat(ref).as(dir + ": " + ref).doesNotEndWith(":latest");
        }
      }
    }
  }

  @Test
  void noSecretIsRenderedFromTheRepository() throws Exception {
    for (String dir : List.of("base", "overlays/dev", "overlays/production")) {
      assertThat(render(dir)).noneMatch(d -> d.path("kind").asText().equals("Secret"));
    }
  }

  @Test
  void theConfigMapsConfigurationPassesSluiceValidate(@TempDir Path tmp) throws Exception {
    List<JsonNode> docs = render("overlays/production");
    JsonNode config = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
        && d.path("data").has("sluice.yaml")).findFirst().orElseThrow();
    Path file = tmp.resolve("sluice.yaml");
    Files.writeString(file, config.path("data").path("sluice.yaml").asText());
    Map<String, String> env = Map.of("SLUICE_DB_URL", "jdbc:postgresql://postgres.sluice.svc:5432/sluice",
        "SLUICE_DB_USER", "sluice", "SLUICE_DB_PASSWORD", "pw-" + System.nanoTime(),
        "SLUICE_MASTER_KEY", "key-" + System.nanoTime(), "POD_NAME", "sluice-7d9f-abcde");
    Proc ok = Proc.run(env, tmp, 120, Proc.java(), "-jar", Proc.sluiceJar().toString(), "validate", "-c", file.toString());
    assertThat(ok.exitCode).as(ok.describe()).isZero();
    // And validation is real: without the pod's variables it fails and names them.
    Proc missing = Proc.run(Map.of(), tmp, 120, Proc.java(), "-jar", Proc.sluiceJar().toString(), "validate", "-c", file.toString());
    assertThat(missing.exitCode).isEqualTo(3);
    assertThat(missing.out + missing.err).contains("SLUICE_DB_URL").contains("POD_NAME");
  }
}
