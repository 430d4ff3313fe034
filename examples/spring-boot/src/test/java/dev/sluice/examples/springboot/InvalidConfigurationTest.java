package dev.sluice.examples.springboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.sluice.spring.boot.SluiceConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The example application with a mistake in an extra YAML file: it does not start, and says where. */
@Timeout(120)
class InvalidConfigurationTest {
  @TempDir Path dir;

  @Test
  void aMistakeInYamlStopsStartUpNamingThePropertyAndItsLine() throws Exception {
    Path extra = dir.resolve("override.yaml");
    Files.writeString(extra, """
        sluice:
          pipelines:
            orders:
              source:
                type: fiel
        """, StandardCharsets.UTF_8);
    Throwable failure = catchThrowable(() -> new SpringApplicationBuilder(OrdersApplication.class)
        .web(WebApplicationType.NONE)
        .properties("spring.config.additional-location=file:" + extra, "app.data-dir=" + dir, "app.orders-file=" + dir.resolve("orders.jsonl"),
            "spring.datasource.url=jdbc:h2:mem:invalid-" + UUID.randomUUID(), "ORDERS_WEBHOOK_SECRET=unused")
        .run().close());
    Throwable root = failure;
    while (root != null && !(root instanceof SluiceConfigurationException)) {
      root = root.getCause();
    }
    assertThat(root).as("failure: %s", failure).isInstanceOf(SluiceConfigurationException.class);
    assertThat(((SluiceConfigurationException) root).problems()).singleElement().asString()
        .startsWith("sluice.pipelines.orders.source.type (")
        .contains("override.yaml").contains(" - 5:")
        .endsWith("'fiel' is not one of file, http, webhook; did you mean 'file'?");
    System.out.println("SluiceConfigurationException message:\n" + root.getMessage());
  }
}
