package dev.sluice.spring.boot;

import dev.sluice.Sluice;
import dev.sluice.schedule.WebhookHandler;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;

/**
 * Mounts the pipelines' webhook triggers on Spring MVC: each trigger's path (e.g. {@code
 * /hooks/github}, relative to the servlet context path) is served by a {@link
 * SluiceWebhookController}, through a handler mapping named {@value #MAPPING} whose order is
 * {@code sluice.webhooks.order} (default -1: before the application's controllers).
 *
 * <p>Active in servlet web applications with Spring MVC, when there is a {@link Sluice} bean and
 * {@code sluice.webhooks.enabled} is not false. Applications that use Spring Security must let
 * these paths through without a session or CSRF token: the webhook's signature is its
 * authentication.
 */
@AutoConfiguration(after = SluiceAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(Sluice.class)
@ConditionalOnProperty(prefix = "sluice.webhooks", name = "enabled", havingValue = "true", matchIfMissing = true)
public class SluiceWebMvcAutoConfiguration {
  /** The name of the handler mapping bean: {@value}. */
  public static final String MAPPING = "sluiceWebhookHandlerMapping";

  /** The webhook endpoints as one request handler. */
  @Bean
  @ConditionalOnMissingBean
  SluiceWebhookController sluiceWebhookController(Sluice sluice) {
    return new SluiceWebhookController(sluice.webhooks());
  }

  /** Maps every webhook path to the controller. */
  @Bean(name = MAPPING)
  @ConditionalOnMissingBean(name = MAPPING)
  SimpleUrlHandlerMapping sluiceWebhookHandlerMapping(Sluice sluice, SluiceWebhookController controller,
      SluiceProperties properties) {
    WebhookHandler webhooks = sluice.webhooks();
    Map<String, Object> urls = new LinkedHashMap<>();
    for (String path : webhooks.paths()) {
      urls.put(path, controller);
    }
    return new SimpleUrlHandlerMapping(urls, properties.getWebhooks().getOrder());
  }
}
