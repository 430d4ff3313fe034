package dev.sluice.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.Sluice;
import dev.sluice.pipeline.RunStatus;
import dev.sluice.store.InMemoryStore;
import dev.sluice.store.RunRecord;
import dev.sluice.store.RunStore;
import dev.sluice.store.Store;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.http.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

/** Health indicator, actuator endpoint, webhooks on Spring MVC and the configuration metadata. */
@Timeout(120)
class SluiceActuatorAndWebTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceActuatorAutoConfiguration.class,
          HealthContributorAutoConfiguration.class, HealthEndpointAutoConfiguration.class,
          EndpointAutoConfiguration.class));

  private String[] pipeline() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.writeString(in, "{\"id\":\"a\"}\n{\"id\":\"b\"}\n", StandardCharsets.UTF_8);
    return new String[] {
        "sluice.store.type=memory",
        "sluice.destinations.out.type=file",
        "sluice.destinations.out.path=" + dir.resolve("out.jsonl"),
        "sluice.pipelines.copy.description=Copies in.jsonl",
        "sluice.pipelines.copy.source.type=file",
        "sluice.pipelines.copy.source.path=" + in,
        "sluice.pipelines.copy.source.key=id",
        "sluice.pipelines.copy.triggers[0].cron=0 3 * * *",
        "sluice.pipelines.copy.rules[0].name=all",
        "sluice.pipelines.copy.rules[0].to=out"};
  }

  @Test
  void healthIsUpWhenStartedAndOutOfServiceBefore() throws Exception {
    runner.withPropertyValues(pipeline()).run(context -> {
      assertThat(context).hasNotFailed().hasBean("sluiceHealthIndicator");
      Health health = context.getBean(SluiceHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("started", true).containsEntry("pipelines", 1)
          .containsEntry("store", "InMemoryStore");
    });
    runner.withPropertyValues(pipeline()).withPropertyValues("sluice.auto-startup=false").run(context -> {
      assertThat(context).hasNotFailed();
      SluiceHealthIndicator indicator = context.getBean(SluiceHealthIndicator.class);
      assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      context.getBean(SluiceLifecycle.class).start();
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
      context.getBean(SluiceLifecycle.class).stop();
      assertThat(indicator.health().getStatus()).as("after a graceful stop").isEqualTo(Status.OUT_OF_SERVICE);
    });
  }

  @Test
  void healthIsDownWhenTheStoreFails() throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    runner.withPropertyValues(pipeline())
        .withBean(SluiceBuilderCustomizer.class, () -> b -> b.store(failing(new InMemoryStore(), broken)))
        .run(context -> {
          SluiceHealthIndicator indicator = context.getBean(SluiceHealthIndicator.class);
          assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
          broken.set(true);
          Health health = indicator.health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails()).containsEntry("storeError", IllegalStateException.class.getName());
          assertThat(health.getDetails().toString()).doesNotContain("database password");
          broken.set(false);
        });
  }

  /** A store whose run history throws (with a message that must not leak) while {@code broken} is set. */
  private static Store failing(InMemoryStore store, AtomicBoolean broken) {
    RunStore runs = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(), new Class<?>[] {RunStore.class},
        (proxy, method, args) -> {
          if (broken.get() && method.getName().equals("list")) {
            throw new IllegalStateException("connection refused; database password hunter2");
          }
          try {
            return method.invoke(store.runs(), args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
        (proxy, method, args) -> {
          if (method.getName().equals("runs")) {
            return runs;
          }
          try {
            return method.invoke(store, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void healthIndicatorBacksOffAndCanBeTurnedOff() throws Exception {
    runner.withPropertyValues(pipeline()).withPropertyValues("management.health.sluice.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SluiceHealthIndicator.class));
    runner.withPropertyValues(pipeline())
        .withBean("sluiceHealthIndicator", org.springframework.boot.actuate.health.HealthIndicator.class,
            () -> () -> Health.unknown().build())
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SluiceHealthIndicator.class));
  }

  @Test
  void endpointListsPipelinesAndRecentRuns() throws Exception {
    runner.withPropertyValues(pipeline())
        .run(context -> assertThat(context).as("not exposed").doesNotHaveBean(SluiceEndpoint.class));
    runner.withPropertyValues(pipeline()).withPropertyValues("management.endpoints.web.exposure.include=health,sluice")
        .run(context -> {
      Sluice sluice = context.getBean(Sluice.class);
      String runId = sluice.run("copy").runId();
      SluiceEndpoint endpoint = context.getBean(SluiceEndpoint.class);
      SluiceEndpoint.SluiceDescriptor all = endpoint.sluice();
      assertThat(all.started()).isTrue();
      assertThat(all.pipelines()).containsOnlyKeys("copy");
      SluiceEndpoint.PipelineDescriptor copy = all.pipelines().get("copy");
      assertThat(copy.source()).isEqualTo("file");
      assertThat(copy.description()).isEqualTo("Copies in.jsonl");
      assertThat(copy.triggers()).singleElement().asString().startsWith("cron 0 3 * * *");
      assertThat(copy.destinations()).containsExactly("out");
      assertThat(copy.recentRuns()).singleElement().satisfies(r -> {
        assertThat(r.id()).isEqualTo(runId);
        assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED.name());
        assertThat(r.recordsRead()).isEqualTo(2);
        assertThat(r.recordsDelivered()).isEqualTo(2);
      });
      assertThat(endpoint.pipeline("copy")).isEqualTo(copy);
      assertThat(endpoint.pipeline("nope")).isNull();
      // The run history the endpoint shows is the store's.
      assertThat(sluice.store().runs().find(runId)).map(RunRecord::status).contains(RunStatus.SUCCEEDED);
    });
  }

  // ---- webhooks on Spring MVC

  private final WebApplicationContextRunner web = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceWebMvcAutoConfiguration.class,
          DispatcherServletAutoConfiguration.class, WebMvcAutoConfiguration.class,
          HttpMessageConvertersAutoConfiguration.class, JacksonAutoConfiguration.class));

  private String[] webhookPipeline(String secret) {
    return new String[] {
        "sluice.store.type=memory",
        "sluice.destinations.out.type=file",
        "sluice.destinations.out.path=" + dir.resolve("hooked.jsonl"),
        "sluice.pipelines.hooked.source.type=webhook",
        "sluice.pipelines.hooked.source.key=id",
        "sluice.pipelines.hooked.triggers[0].webhook=/hooks/orders",
        "sluice.pipelines.hooked.triggers[0].signature.scheme=hmac-sha256",
        "sluice.pipelines.hooked.triggers[0].signature.secret=${TEST_WEBHOOK_SECRET}",
        "TEST_WEBHOOK_SECRET=" + secret,
        "sluice.pipelines.hooked.rules[0].name=all",
        "sluice.pipelines.hooked.rules[0].to=out"};
  }

  private static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void webhooksAreServedBySpringMvc() throws Exception {
    String secret = "test-" + System.nanoTime(); // made at test time
    web.withPropertyValues(webhookPipeline(secret)).run(context -> {
      assertThat(context).hasNotFailed().hasBean(SluiceWebMvcAutoConfiguration.MAPPING);
      MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).build();
      String body = "{\"id\":\"w-1\",\"total\":42}";
      String answer = mvc.perform(post("/hooks/orders").contentType("application/json").content(body)
              .header("X-Signature", hmac(secret, body)))
          .andExpect(status().isAccepted())
          .andReturn().getResponse().getContentAsString();
      JsonNode accepted = JSON.readTree(answer);
      String runId = accepted.path("runId").asText();
      assertThat(runId).isNotBlank();
      assertThat(accepted.path("pipeline").asText()).isEqualTo("hooked");
      Sluice sluice = context.getBean(Sluice.class);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline
          && sluice.store().runs().find(runId).map(r -> !r.status().isFinal()).orElse(true)) {
        Thread.sleep(20);
      }
      assertThat(sluice.store().runs().find(runId)).map(RunRecord::status).contains(RunStatus.SUCCEEDED);
      assertThat(Files.readString(dir.resolve("hooked.jsonl"))).contains("w-1");

      mvc.perform(post("/hooks/orders").contentType("application/json").content(body)
              .header("X-Signature", hmac("wrong-" + secret, body)))
          .andExpect(status().isUnauthorized());
      mvc.perform(get("/hooks/orders")).andExpect(status().isMethodNotAllowed());
      mvc.perform(post("/hooks/other").content(body)).andExpect(status().isNotFound());
    });
  }

  @Test
  void webhooksCanBeTurnedOffAndNeedAWebApplication() throws Exception {
    web.withPropertyValues(webhookPipeline("s-" + System.nanoTime())).withPropertyValues("sluice.webhooks.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SluiceWebMvcAutoConfiguration.MAPPING));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SluiceAutoConfiguration.class, SluiceWebMvcAutoConfiguration.class))
        .withPropertyValues(webhookPipeline("s-" + System.nanoTime()))
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Sluice.class)
            .doesNotHaveBean(SluiceWebhookController.class));
  }

  // ---- metadata

  @Test
  void configurationMetadataDescribesTheStarterAndTheModel() throws Exception {
    JsonNode metadata;
    try (InputStream in = new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
      metadata = JSON.readTree(in);
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    metadata.path("properties").forEach(p -> names.add(p.path("name").asText()));
    assertThat(names).contains("sluice.config-location", "sluice.enabled", "sluice.auto-startup",
        "sluice.shutdown-timeout", "sluice.webhooks.enabled", "sluice.webhooks.order",
        // merged from additional-spring-configuration-metadata.json by the processor:
        "sluice.pipelines", "sluice.destinations", "sluice.store.type", "sluice.secrets.key");
    assertThat(metadata.path("properties").findValues("description").stream().map(JsonNode::asText))
        .anyMatch(d -> d.contains("How long stopping the application context waits"));
  }
}
