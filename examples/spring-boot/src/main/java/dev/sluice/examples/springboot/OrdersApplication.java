package dev.sluice.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application that embeds Sluice through {@code sluice-spring-boot-starter}: the
 * pipelines are in {@code application.yaml} under {@code sluice.*}, Sluice keeps its state in the
 * application's H2 {@code DataSource}, the webhook {@code /hooks/orders} is served by Spring MVC,
 * and {@code /actuator/health} and {@code /actuator/sluice} show how it is doing.
 *
 * <p>Run it with {@code ORDERS_WEBHOOK_SECRET=<secret> mvn -pl examples/spring-boot -am package
 * -DskipTests exec:exec}.
 */
@SpringBootApplication
public class OrdersApplication {

  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}
