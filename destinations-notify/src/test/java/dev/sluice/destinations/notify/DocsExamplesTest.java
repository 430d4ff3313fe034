package dev.sluice.destinations.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.destinations.email.EmailDestinationProvider;
import dev.sluice.destinations.slack.SlackDestinationProvider;
import dev.sluice.spi.Destination;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.spi.PluginConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every slack and email destination in the YAML examples of docs/user-guide/destinations.md
 * is accepted by its provider (options, templates, blocks), with secrets replaced by placeholders.
 */
class DocsExamplesTest {
  private static final Path DOC = Path.of("../docs/user-guide/destinations.md");
  private static final Pattern BLOCK = Pattern.compile("```ya?ml\\n(.*?)```", Pattern.DOTALL);
  private static final Map<String, DestinationProvider> PROVIDERS =
      Map.of("slack", new SlackDestinationProvider(), "email", new EmailDestinationProvider());

  @Test
  void everyDestinationExampleIsAValidConfiguration() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Matcher m = BLOCK.matcher(Files.readString(DOC));
    List<String> created = new ArrayList<>();
    while (m.find()) {
      String text = m.group(1).replaceAll("\\$\\{secret:[^}]+}", "placeholder-secret");
      JsonNode root = yaml.readTree(text);
      JsonNode destinations = root.has("destinations") ? root.get("destinations") : root;
      for (Map.Entry<String, JsonNode> e : destinations.properties()) {
        String type = e.getValue().path("type").asText();
        if (!PROVIDERS.containsKey(type)) {
          continue;
        }
        ObjectNode options = ((ObjectNode) e.getValue()).deepCopy();
        options.remove("type");
        Destination d = PROVIDERS.get(type).create(
            new PluginConfig("destination '" + e.getKey() + "' (type " + type + ")", options),
            new TestContext(e.getKey()));
        created.add(e.getKey());
        d.close();
      }
    }
    assertThat(created).containsExactly("sales-slack", "sales-slack-blocks", "failed-payments-mail");
  }
}
