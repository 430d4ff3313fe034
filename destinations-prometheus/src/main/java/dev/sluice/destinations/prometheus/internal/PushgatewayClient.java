package dev.sluice.destinations.prometheus.internal;

import dev.sluice.destinations.prometheus.internal.Settings.Push;
import dev.sluice.destinations.prometheus.internal.Settings.PushMethod;
import dev.sluice.spi.DeliveryException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Pushes one pipeline's series to a Pushgateway, following its documented HTTP API: {@code PUT
 * /metrics/job/<job>/pipeline/<pipeline>} replaces every metric of that group, {@code POST}
 * replaces only the metrics with the names pushed. Label values holding a {@code /} (or empty)
 * are sent in the documented base64url form ({@code /pipeline@base64/<value>}). User info in the
 * URL becomes HTTP basic authentication and never appears in a message.
 *
 * <p>Thread-safe.
 */
public final class PushgatewayClient {
  private final Push push;
  private final HttpClient http;
  private final String base;
  private final String authorization;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public PushgatewayClient(Push push) {
    this.push = push;
    this.http = HttpClient.newBuilder().connectTimeout(push.timeout()).followRedirects(HttpClient.Redirect.NEVER)
        .build();
    URI u = push.url();
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    this.base = u.getScheme() + "://" + u.getRawAuthority().replaceFirst("^.*@", "") + path;
    String userInfo = u.getRawUserInfo();
    this.authorization = userInfo == null ? null : "Basic " + Base64.getEncoder().encodeToString(
        URLDecoder.decode(userInfo, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
  }

  /** The group's URL: {@code <base>/metrics/job/<job>/pipeline/<pipeline>}. */
  public URI groupUri(String pipeline) {
    return URI.create(base + "/metrics" + segment("job", push.job()) + segment("pipeline", pipeline));
  }

  static String segment(String label, String value) {
    if (value.isEmpty() || value.indexOf('/') >= 0) {
      return "/" + label + "@base64/" + (value.isEmpty() ? "="
          : Base64.getUrlEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    }
    return "/" + label + "/" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Pushes {@code snapshots} as the group of {@code pipeline}.
   *
   * @throws DeliveryException retryable when the Pushgateway is unreachable, answers 5xx or 429;
   *     permanent when it refuses the content (4xx)
   */
  public void push(String pipeline, MetricSnapshots snapshots) throws DeliveryException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      writer.write(body, snapshots);
    } catch (IOException e) {
      throw DeliveryException.permanent("could not write the text format for the Pushgateway: " + e.getMessage(), e);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(groupUri(pipeline)).timeout(push.timeout())
        .header("Content-Type", writer.getContentType())
        .method(push.method() == PushMethod.PUT ? "PUT" : "POST",
            HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    String what = "push of pipeline '" + pipeline + "' to the Pushgateway at " + push.safeUrl();
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw DeliveryException.retryable(what + " failed: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage().replace(push.url().toString(), push.safeUrl())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw DeliveryException.retryable(what + " was interrupted");
    }
    int status = response.statusCode();
    if (status / 100 == 2) {
      return;
    }
    String text = what + " was answered HTTP " + status + ": " + LabelValues.sanitize(response.body().trim(), 300);
    if (status == 429 || status / 100 == 5) {
      Optional<Duration> retryAfter = response.headers().firstValue("Retry-After").flatMap(PushgatewayClient::seconds);
      throw new DeliveryException(text, true, retryAfter.orElse(null), null);
    }
    throw DeliveryException.permanent(text);
  }

  /**
   * {@code GET <base>/-/ready} with the configured credentials: the Pushgateway's readiness probe,
   * which changes nothing.
   *
   * @param timeout the request's deadline
   * @return null when ready, else why not (without credentials)
   * @throws InterruptedException when interrupted while waiting
   */
  public String ready(Duration timeout) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/-/ready")).timeout(timeout).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    String what = "the Pushgateway at " + push.safeUrl();
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 == 2) {
        return null;
      }
      return what + " answered GET /-/ready with HTTP " + response.statusCode() + ": "
          + LabelValues.sanitize(response.body().trim(), 300)
          + (response.statusCode() == 401 || response.statusCode() == 403 ? "; check the user info of its url" : "");
    } catch (IOException e) {
      return what + " could not be reached: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage().replace(push.url().toString(), push.safeUrl()));
    }
  }

  private static Optional<Duration> seconds(String header) {
    try {
      long s = Long.parseLong(header.trim());
      return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
