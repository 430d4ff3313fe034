package dev.sluice.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The two image definitions, the Dockerfile and the cli module's Jib profile, say the same things:
 * non-root user 10001, `sluice serve --config /config/sluice.yaml --port 8080`, port 8080, OCI labels,
 * pinned base image; and the image's health check script works against a real HTTP server.
 */
class ImageDefinitionTest {
  static final List<String> SERVE = List.of("serve", "--config", "/config/sluice.yaml", "--port", "8080");

  /** Dockerfile instructions (continuation lines joined), in order. */
  static List<String[]> dockerfile() throws Exception {
    String text = Files.readString(Proc.REPO.resolve("Dockerfile")).replaceAll("\\\\\n", " ");
    List<String[]> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] parts = l.split("\\s+", 2);
      out.add(new String[] {parts[0].toUpperCase(), parts.length > 1 ? parts[1] : ""});
    }
    return out;
  }

  static List<String> all(List<String[]> instructions, String name) {
    List<String> values = new ArrayList<>();
    for (String[] i : instructions) {
      if (i[0].equals(name)) {
        values.add(i[1]);
      }
    }
    return values;
  }

  static List<String> jsonArray(String exec) throws Exception {
    List<String> list = new ArrayList<>();
    new com.fasterxml.jackson.databind.ObjectMapper().readTree(exec).forEach(n -> list.add(n.asText()));
    return list;
  }

  @Test
  void dockerfileRunsSluiceServeAsNonRootWithAHealthCheckAndLabels() throws Exception {
    List<String[]> d = dockerfile();
    List<String> args = all(d, "ARG");
    String base = args.stream().filter(a -> a.startsWith("JRE_IMAGE=")).findFirst().orElseThrow().substring("JRE_IMAGE=".length());
    assertThat(base).matches("eclipse-temurin:17\\.[0-9._]+-jre-[a-z]+").doesNotContain("latest");
    assertThat(all(d, "FROM")).containsExactly("${JRE_IMAGE}");
    assertThat(all(d, "USER")).containsExactly("10001:10001");
    assertThat(all(d, "EXPOSE")).containsExactly("8080");
    assertThat(all(d, "WORKDIR")).containsExactly("/var/lib/sluice");
    assertThat(jsonArray(all(d, "VOLUME").get(0))).containsExactly("/config", "/var/lib/sluice");
    assertThat(jsonArray(all(d, "ENTRYPOINT").get(0))).containsExactly("java", "-jar", "/opt/sluice/lib/sluice.jar");
    assertThat(jsonArray(all(d, "CMD").get(0))).isEqualTo(SERVE);
    String healthcheck = all(d, "HEALTHCHECK").get(0);
    assertThat(healthcheck).contains("--interval=").contains("--start-period=")
        .endsWith("CMD [\"/opt/sluice/bin/healthcheck.sh\"]");
    assertThat(all(d, "COPY")).anyMatch(c -> c.endsWith("deploy/docker/rootfs/opt/sluice/bin/healthcheck.sh /opt/sluice/bin/healthcheck.sh"))
        .anyMatch(c -> c.endsWith("cli/target/sluice.jar /opt/sluice/lib/sluice.jar"));
    String env = String.join(" ", all(d, "ENV"));
    assertThat(env).contains("-XX:-UsePerfData").contains("-Djava.io.tmpdir=/tmp").contains("SLUICE_HEALTH_URL=\"http://127.0.0.1:8080/health/live\"");
    Map<String, String> labels = labels(String.join(" ", all(d, "LABEL")));
    assertThat(labels).containsKeys("org.opencontainers.image.title", "org.opencontainers.image.description",
        "org.opencontainers.image.version", "org.opencontainers.image.revision", "org.opencontainers.image.base.name");
    assertThat(labels.get("org.opencontainers.image.version")).isEqualTo("${VERSION}");
    // The USER comes after every RUN (nothing runs as root after it) and before ENTRYPOINT.
    int user = indexOf(d, "USER");
    assertThat(d.subList(user, d.size())).noneMatch(i -> i[0].equals("RUN"));
    assertThat(user).isLessThan(indexOf(d, "ENTRYPOINT"));
  }

  static int indexOf(List<String[]> d, String name) {
    for (int i = 0; i < d.size(); i++) {
      if (d.get(i)[0].equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no " + name);
  }

  static Map<String, String> labels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    Matcher m = Pattern.compile("([a-z0-9.]+)=\"([^\"]*)\"").matcher(text);
    while (m.find()) {
      labels.put(m.group(1), m.group(2));
    }
    return labels;
  }

  static Element jibPlugin() throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document pom = f.newDocumentBuilder().parse(Proc.REPO.resolve("cli/pom.xml").toFile());
    NodeList plugins = pom.getElementsByTagName("plugin");
    Element jib = null;
    for (int i = 0; i < plugins.getLength(); i++) {
      Element p = (Element) plugins.item(i);
      if (text(p, "artifactId").equals("jib-maven-plugin")) {
        assertThat(jib).as("one Jib plugin").isNull();
        jib = p;
      }
    }
    assertThat(jib).as("the Jib plugin in cli/pom.xml").isNotNull();
    return jib;
  }

  static String text(Element e, String child) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n.getNodeName().equals(child)) {
        return n.getTextContent().strip();
      }
    }
    return "";
  }

  static Element child(Element e, String name) {
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && n.getNodeName().equals(name)) {
        return (Element) n;
      }
    }
    throw new AssertionError("no <" + name + "> in <" + e.getNodeName() + ">");
  }

  static List<String> texts(Element e) {
    List<String> list = new ArrayList<>();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element) {
        list.add(n.getTextContent().strip());
      }
    }
    return list;
  }

  @Test
  void jibProfileDefinesTheSameImageAndIsNotBoundToTheBuild() throws Exception {
    Element jib = jibPlugin();
    assertThat(text(jib, "groupId")).isEqualTo("com.google.cloud.tools");
    assertThat(text(jib, "version")).isEqualTo("3.5.2");
    assertThat(jib.getElementsByTagName("executions").getLength()).as("no execution: jib runs only when asked").isZero();
    Node profile = jib.getParentNode().getParentNode().getParentNode();
    assertThat(profile.getNodeName()).isEqualTo("profile");
    assertThat(text((Element) profile, "id")).isEqualTo("jib");
    assertThat(((Element) profile).getElementsByTagName("activation").getLength()).as("never active by default").isZero();
    Element properties = child((Element) profile, "properties");
    assertThat(text(properties, "sluice.image.base")).matches("eclipse-temurin:17\\.[0-9._]+-jre-[a-z]+");
    assertThat(text(properties, "sluice.image")).isEqualTo("sluice:${project.version}");

    Element config = child(jib, "configuration");
    assertThat(text(child(config, "from"), "image")).isEqualTo("${sluice.image.base}");
    Element container = child(config, "container");
    assertThat(text(container, "mainClass")).isEqualTo("dev.sluice.cli.SluiceCli");
    assertThat(texts(child(container, "args"))).isEqualTo(SERVE);
    assertThat(texts(child(container, "ports"))).containsExactly("8080");
    assertThat(text(container, "user")).isEqualTo("10001:10001");
    assertThat(text(container, "workingDirectory")).isEqualTo("/var/lib/sluice");
    assertThat(texts(child(container, "volumes"))).containsExactly("/config", "/var/lib/sluice");
    assertThat(texts(child(container, "jvmFlags"))).contains("-XX:-UsePerfData", "-Djava.io.tmpdir=/tmp");
    List<String> labels = new ArrayList<>();
    for (Node n = child(container, "labels").getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element) {
        labels.add(n.getNodeName());
      }
    }
    Map<String, String> dockerLabels = labels(String.join(" ", all(dockerfile(), "LABEL")));
    assertThat(labels).containsExactlyInAnyOrderElementsOf(dockerLabels.keySet());
    assertThat(text(child(child(config, "extraDirectories"), "paths"), "path")).isEqualTo("${project.basedir}/../deploy/docker/rootfs");
  }

  @Test
  void healthCheckScriptAsksTheHealthEndpointForReal() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    int[] status = {200};
    List<String> paths = new java.util.concurrent.CopyOnWriteArrayList<>();
    server.createContext("/", exchange -> {
      paths.add(exchange.getRequestURI().getPath());
      exchange.sendResponseHeaders(status[0], -1);
      exchange.close();
    });
    server.start();
    try {
      String script = Proc.REPO.resolve("deploy/docker/rootfs/opt/sluice/bin/healthcheck.sh").toString();
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/health/live";
      Proc up = Proc.run(Map.of("SLUICE_HEALTH_URL", url), Proc.REPO, 30, script);
      assertThat(up.exitCode).as(up.describe()).isZero();
      status[0] = 503;
      Proc down = Proc.run(Map.of("SLUICE_HEALTH_URL", url), Proc.REPO, 30, script);
      assertThat(down.exitCode).as(down.describe()).isEqualTo(1);
      assertThat(paths).containsExactly("/health/live", "/health/live");
    } finally {
      server.stop(0);
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    Proc refused = Proc.run(Map.of("SLUICE_HEALTH_URL", "http://127.0.0.1:" + closed + "/health/live"), Proc.REPO, 30,
        Proc.REPO.resolve("deploy/docker/rootfs/opt/sluice/bin/healthcheck.sh").toString());
    assertThat(refused.exitCode).as("nothing listening").isNotZero();
  }
}
