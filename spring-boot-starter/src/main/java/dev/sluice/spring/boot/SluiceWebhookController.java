package dev.sluice.spring.boot;

import dev.sluice.schedule.WebhookHandler;
import dev.sluice.schedule.WebhookResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.web.HttpRequestHandler;
import org.springframework.web.util.UrlPathHelper;

/**
 * Serves Sluice's webhook endpoints in a servlet container: hands method, path (within the
 * application, without the context path), headers and the raw body stream to core's {@link
 * WebhookHandler}, and writes back its status, headers and JSON body. The handler reads at most
 * the trigger's body limit and never throws for bad input; every refusal is a response (401 for a
 * bad signature, 413 for a large body, 503 before start, ...).
 *
 * <p>Thread-safe: one instance serves every request.
 */
public class SluiceWebhookController implements HttpRequestHandler {
  private static final UrlPathHelper PATHS = new UrlPathHelper();

  private final WebhookHandler webhooks;

  /** @param webhooks usually {@code sluice.webhooks()}; never null */
  public SluiceWebhookController(WebhookHandler webhooks) {
    this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
  }

  @Override
  public void handleRequest(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String path = PATHS.getPathWithinApplication(request);
    WebhookResponse answer;
    // The handler reads at most the path's body limit plus one byte: a large body is refused (413)
    // without being buffered.
    try (InputStream body = request.getInputStream()) {
      answer = webhooks.handle(request.getMethod(), path, headers(request), body);
    }
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    response.setContentType(WebhookResponse.CONTENT_TYPE);
    byte[] bytes = answer.bodyBytes();
    response.setContentLength(bytes.length);
    try (OutputStream out = response.getOutputStream()) {
      out.write(bytes);
    }
  }

  private static Map<String, List<String>> headers(HttpServletRequest request) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String name : Collections.list(request.getHeaderNames())) {
      headers.put(name, new ArrayList<>(Collections.list(request.getHeaders(name))));
    }
    return headers;
  }
}
