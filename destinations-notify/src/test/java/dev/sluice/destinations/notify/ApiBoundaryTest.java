package dev.sluice.destinations.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.destinations.email.EmailDestination;
import dev.sluice.destinations.email.EmailDestinationProvider;
import dev.sluice.destinations.slack.SlackDestination;
import dev.sluice.destinations.slack.SlackDestinationProvider;
import dev.sluice.spi.DestinationProvider;
import dev.sluice.testkit.ApiBoundary;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The public face (providers, destinations) shows no internal type; both providers are registered. */
class ApiBoundaryTest {
  @Test
  void publicApiShowsNoInternalTypes() {
    assertThat(ApiBoundary.leaks(SlackDestinationProvider.class)).isEmpty();
    assertThat(ApiBoundary.leaks(SlackDestination.class)).isEmpty();
    assertThat(ApiBoundary.leaks(EmailDestinationProvider.class)).isEmpty();
    assertThat(ApiBoundary.leaks(EmailDestination.class)).isEmpty();
  }

  @Test
  void providersAreFoundByServiceLoaderWithSchemas() {
    assertThat(ServiceLoader.load(DestinationProvider.class).stream().map(p -> p.get().type()))
        .contains("slack", "email");
    assertThat(new SlackDestinationProvider().configSchema().path("properties").has("webhookUrl")).isTrue();
    assertThat(new EmailDestinationProvider().configSchema().path("required").toString()).contains("host", "from",
        "subject");
  }
}
